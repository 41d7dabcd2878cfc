#pragma once
/// Scriptable: a module that TorchScript export can write (see torchscript_export.h).
/// torchscript_forward() returns the TorchScript source of its `forward` method. The source may use
/// the module's own parameters and buffers as `self.<name>`, and call children as
/// `self.<name>.forward(x)`; it must use aten builtins (torch.conv2d, torch.relu, ...), not
/// torch.nn.functional. Sequential children are renamed `_0`, `_1`, ... in the exported module.
///
/// Example:
///   std::string torchscript_forward() const override {
///     return "def forward(self, x: Tensor) -> Tensor:\n"
///            "    return torch.relu(self.conv.forward(x))\n";
///   }
#include <string>

#include "razor/export.h"

namespace razor {

class RAZOR_API Scriptable {
 public:
  virtual ~Scriptable();
  virtual std::string torchscript_forward() const = 0;
};

}  // namespace razor
