#pragma once
/// Recorder: captures named intermediate tensors of a model during a forward pass (LibTorch modules
/// have no forward hooks, so models expose record points and recorders read them).
#include <string>

#include <ATen/core/Tensor.h>

#include "razor/component.h"
#include "razor/model.h"

namespace razor {

class RAZOR_API Recorder : public Component {
 public:
  static constexpr const char* kKind = "recorder";
  ~Recorder() override;
  /// Attaches to the record points of `model` this recorder was configured with.
  virtual void prepare(Model& model) = 0;
  /// Forgets what was recorded (called before each forward).
  virtual void reset() = 0;
  /// What was recorded at `source` during the last forward; throws razor::Error if nothing was.
  virtual at::Tensor get(const std::string& source) const = 0;
};

}  // namespace razor
