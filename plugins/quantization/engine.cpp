#include "engine.h"

#include <algorithm>

#include <ATen/Context.h>
#include <c10/core/QEngine.h>

#include "razor/errors.h"

namespace razor::quantization {
namespace {

c10::QEngine engine_enum(const std::string& name) {
  return name == "qnnpack" ? c10::QEngine::QNNPACK : name == "fbgemm" ? c10::QEngine::FBGEMM : c10::QEngine::ONEDNN;
}

std::string engines_built() {
  std::string list;
  for (const auto e : at::globalContext().supportedQEngines()) {
    if (e == c10::QEngine::NoQEngine) continue;
    list += (list.empty() ? "" : ", ") + std::string(e == c10::QEngine::QNNPACK ? "qnnpack"
                                                     : e == c10::QEngine::FBGEMM ? "fbgemm"
                                                                                 : "onednn");
  }
  return list;
}

}  // namespace

std::string engine_refusal(const std::string& engine) {
  const auto& built = at::globalContext().supportedQEngines();
  if (std::find(built.begin(), built.end(), engine_enum(engine)) == built.end())
    return "this LibTorch build has no " + engine + " (it has: " + engines_built() + ")";
#if defined(__x86_64__) || defined(_M_X64)
  if (engine == "qnnpack")
    return "qnnpack's kernels are made for ARM; on this x86 machine they run slower than float (use onednn)";
#endif
  return "";
}

void use_engine(const std::string& engine) {
  if (const std::string why = engine_refusal(engine); !why.empty()) throw Error("quantized engine " + engine + ": " + why);
  at::globalContext().setQEngine(engine_enum(engine));
}

}  // namespace razor::quantization
