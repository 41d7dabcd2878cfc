#pragma once
// Thrown by the source export for a module it has no TorchScript source for; to_torchscript(model,
// example) then traces the model instead (torchscript_trace.cpp).
#include "razor/errors.h"

namespace razor {

class NotScriptable : public Error {
 public:
  using Error::Error;
};

}  // namespace razor
