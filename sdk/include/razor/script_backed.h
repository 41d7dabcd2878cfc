#pragma once
/// ScriptBacked: a model that is a TorchScript module already (loaded from a file written in Python).
/// TorchScript export (torchscript_export.h) writes script_copy(): the module's own code with the
/// model's current tensors, rather than a rewrite or a trace of it.
#include "razor/export.h"

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor {

class RAZOR_API ScriptBacked {
 public:
  virtual ~ScriptBacked();
  /// A module of its own (types, code and tensors not shared with the model), in eval mode, whose
  /// forward computes what the model's does; throws razor::Error when it cannot be made.
  virtual torch::jit::Module script_copy() const = 0;
};

}  // namespace razor
