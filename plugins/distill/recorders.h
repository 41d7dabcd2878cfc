#pragma once
// Recorders of the distill plugin: `tap` (a tap's output), `output` (the model's output tap) and
// `labels` (the batch's targets, for losses that take gt_labels).
#include <memory>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/plugin.h"
#include "razor/recorder.h"
#include "razor/tap.h"

namespace razor::distill {

/// recorder/tap, and recorder/output when `source` is empty.
class TapRecorder : public Recorder {
 public:
  explicit TapRecorder(const BuildContext& ctx);
  void prepare(Model& model) override;
  void start(const Batch& batch) override;
  void stop() override;
  const std::vector<at::Tensor>& records() const override;

 protected:
  TapRecorder() = default;

 private:
  std::string source_;  // empty: the model's output tap
  std::shared_ptr<TapBuffer> buffer_;
};

class OutputRecorder final : public TapRecorder {
 public:
  explicit OutputRecorder(const BuildContext&) {}
};

class LabelsRecorder final : public Recorder {
 public:
  explicit LabelsRecorder(const BuildContext&) {}
  void prepare(Model&) override {}
  void start(const Batch& batch) override { records_ = {batch.targets}; }
  void stop() override {}
  const std::vector<at::Tensor>& records() const override { return records_; }

 private:
  std::vector<at::Tensor> records_;
};

ComponentInfo tap_recorder_info();
ComponentInfo output_recorder_info();
ComponentInfo labels_recorder_info();

}  // namespace razor::distill
