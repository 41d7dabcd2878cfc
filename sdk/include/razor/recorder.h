#pragma once
/// Recorder: collects tensors of one model during a forward pass — a tap's output, the model's
/// output, the batch's labels. A distiller owns its recorders and records one forward at a time
/// inside a RecordingScope.
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/batch.h"
#include "razor/component.h"
#include "razor/export.h"
#include "razor/model.h"

namespace razor {

class RAZOR_API Recorder : public Component {
 public:
  static constexpr const char* kKind = "recorder";
  ~Recorder() override;
  /// Attaches to `model`; throws razor::Error naming what the model lacks (e.g. an unknown tap).
  virtual void prepare(Model& model) = 0;
  /// Forgets earlier records and records the forward pass of `batch` until stop().
  virtual void start(const Batch& batch) = 0;
  virtual void stop() = 0;
  /// What was recorded since the last start(), one tensor per call of the source, in call order.
  virtual const std::vector<at::Tensor>& records() const = 0;
};

/// Records one forward pass: starts the recorders on entry, stops them on exit (also when the
/// forward throws). Move-only.
class RAZOR_API RecordingScope {
 public:
  RecordingScope(std::vector<Recorder*> recorders, const Batch& batch);
  RecordingScope(RecordingScope&& other) noexcept;
  RecordingScope(const RecordingScope&) = delete;
  RecordingScope& operator=(const RecordingScope&) = delete;
  RecordingScope& operator=(RecordingScope&&) = delete;
  ~RecordingScope();

 private:
  std::vector<Recorder*> recorders_;
};

}  // namespace razor
