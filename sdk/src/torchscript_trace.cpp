// TorchScript export by tracing, for models without a TorchScript source (any razor::Model whose
// forward runs). The model's tensors are registered, unchanged, on a "mirror" tree of jit modules
// with the model's own module names; LibTorch's tracer, given the mirror as `self`, records every use
// of them as an attribute read, so the traced graph is a method of the mirror that Python and C++
// load like any scripted module (stack facts 8.2). After tracing the mirror's tensors are replaced
// by copies, so the export does not alias the live model.
#include <string>
#include <tuple>
#include <vector>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>

#include "not_scriptable.h"
#include "script_identifier.h"
#include "razor/module_type_name.h"
#include "razor/errors.h"
#include "razor/script_backed.h"
#include "razor/model.h"
#include "razor/tap.h"
#include "razor/torchscript_export.h"

namespace razor {
namespace {

struct Registered {
  torch::jit::Module owner;
  std::string name;
  at::Tensor tensor;
};

torch::jit::Module mirror(const torch::nn::Module& module, const std::shared_ptr<torch::jit::CompilationUnit>& unit,
                          std::vector<Registered>& tensors) {
  torch::jit::Module out(c10::QualifiedName("__torch__." + script_identifier(module_type_name(module))), unit, /*shouldMangle=*/true);
  out.register_attribute("training", c10::BoolType::get(), false);
  for (const auto& p : module.named_parameters(/*recurse=*/false)) {
    if (!p.value().defined()) continue;
    out.register_parameter(p.key(), p.value(), /*is_buffer=*/false);
    tensors.push_back({out, p.key(), p.value()});
  }
  for (const auto& b : module.named_buffers(/*recurse=*/false)) {
    if (!b.value().defined()) continue;
    out.register_buffer(b.key(), b.value());
    tensors.push_back({out, b.key(), b.value()});
  }
  for (const auto& child : module.named_children()) {
    if (dynamic_cast<const TapsImpl*>(child.value().get())) continue;  // record points hold nothing
    out.register_module(child.key(), mirror(*child.value(), unit, tensors));
  }
  return out;
}

torch::jit::Module trace_mirror(Model& model, const at::Tensor& example, std::vector<Registered>& tensors) {
  const bool was_training = model.is_training();
  model.eval();
  auto unit = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module out = mirror(model, unit, tensors);
  try {
    auto traced = torch::jit::tracer::trace(
        {example}, [&](torch::jit::Stack in) -> torch::jit::Stack { return {model.forward(in.at(0).toTensor())}; },
        [](const at::Tensor&) { return std::string(); }, /*strict=*/true, /*force_outplace=*/false, &out);
    auto method = unit->create_function(c10::QualifiedName(*out.type()->name(), "forward"), std::get<0>(traced)->graph);
    out.type()->addMethod(method);
  } catch (const std::exception& e) {
    model.train(was_training);
    const auto* c10 = dynamic_cast<const c10::Error*>(&e);
    const std::string why = c10 ? c10->what_without_backtrace() : e.what();
    throw Error(fmt::format("cannot trace the model's forward for TorchScript: {}", why.substr(0, why.find('\n'))));
  }
  model.train(was_training);
  out.eval();
  return out;
}

}  // namespace

torch::jit::Module trace_live(Model& model, const at::Tensor& example) {
  std::vector<Registered> tensors;
  return trace_mirror(model, example, tensors);
}

torch::jit::Module trace_torchscript(Model& model, const at::Tensor& example) {
  std::vector<Registered> tensors;
  torch::jit::Module out = trace_mirror(model, example, tensors);
  for (auto& r : tensors) {
    r.owner.setattr(r.name, r.tensor.detach().clone().requires_grad_(r.tensor.requires_grad()));
  }
  out.eval();
  return out;
}

torch::jit::Module to_torchscript(Model& model, const at::Tensor& example, ScriptPath* path) {
  if (const auto* backed = dynamic_cast<const ScriptBacked*>(&model)) {
    if (path) *path = ScriptPath::script;
    return backed->script_copy();
  }
  try {
    torch::jit::Module out = to_torchscript(static_cast<const torch::nn::Module&>(model));
    if (path) *path = ScriptPath::source;
    return out;
  } catch (const NotScriptable&) {
    if (path) *path = ScriptPath::traced;
    return trace_torchscript(model, example);
  }
}

}  // namespace razor
