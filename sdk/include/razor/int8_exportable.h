#pragma once
/// Int8Exportable: a model that simulates int8 inference (fake quantization) and can write the real
/// thing: a TorchScript module of quantized operators with prepacked weights. The export stage writes
/// it as inference.pt and compares its predictions with the model's.
#include <string>

#include "razor/export.h"
#include "razor/model.h"

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor {

class RAZOR_API Int8Exportable {
 public:
  virtual ~Int8Exportable();
  /// A module of its own, in eval mode, that takes float images and returns float outputs, computing
  /// in between with int8 kernels of engine(); throws razor::Error when it cannot be made.
  virtual torch::jit::Module int8_module() const = 0;
  /// The quantized engine the module's weights are packed for and run under: "onednn" or "qnnpack".
  virtual std::string int8_engine() const = 0;
  /// The float model it simulates. Its operations are the int8 model's, so estimators count this one
  /// (the simulation's extra arithmetic — folding, rounding — is not the deployed model's).
  virtual Model& float_model() = 0;
};

}  // namespace razor
