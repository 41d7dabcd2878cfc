#include "torchscript/torchscript_model.h"

#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/csrc/jit/serialization/import.h>

#include "razor/errors.h"

namespace razor::models {
namespace {

/// A plain module standing for one scripted submodule: same class name, same tensors.
class ScriptedPartImpl final : public torch::nn::Module {
 public:
  explicit ScriptedPartImpl(const std::string& class_name) : torch::nn::Module(class_name) {}
};

/// Registers the tensors of `script` (not its submodules') on `part`, then mirrors each submodule.
void mirror(const torch::jit::Module& script, torch::nn::Module& part) {
  for (const auto& p : script.named_parameters(/*recurse=*/false)) {
    // A scripted module's parameters may come back from torch.jit.load without requires_grad.
    part.register_parameter(p.name, p.value, /*requires_grad=*/true);
  }
  for (const auto& b : script.named_buffers(/*recurse=*/false)) part.register_buffer(b.name, b.value);
  for (const auto& child : script.named_children()) {
    auto holder = std::make_shared<ScriptedPartImpl>(child.value.type()->name()->name());
    part.register_module(child.name, holder);
    mirror(child.value, *holder);
  }
}

/// The one-line reason `forward` cannot serve as a model's (images in, logits out), or "".
std::string forward_fault(const torch::jit::Module& script) {
  const auto method = script.find_method("forward");
  if (!method) return "the module has no forward method";
  const c10::FunctionSchema& schema = method->function().getSchema();
  const auto& args = schema.arguments();  // self first
  const auto shown = [&] {  // "forward(Tensor x, Tensor y) -> Tensor", without self
    std::vector<std::string> in, out;
    for (std::size_t i = 1; i < args.size(); ++i) in.push_back(args[i].type()->annotation_str() + " " + args[i].name());
    for (const auto& r : schema.returns()) out.push_back(r.type()->annotation_str());
    return fmt::format("forward({}) -> {}", fmt::join(in, ", "), fmt::join(out, ", "));
  };
  if (args.size() != 2 || !args[1].type()->isSubtypeOf(*c10::TensorType::get())) {
    return fmt::format("{} takes other arguments than one tensor (expected forward(self, x: Tensor) -> Tensor)", shown());
  }
  if (schema.returns().size() != 1 || !schema.returns()[0].type()->isSubtypeOf(*c10::TensorType::get())) {
    return fmt::format("{} returns something else than one tensor (expected forward(self, x: Tensor) -> Tensor)", shown());
  }
  return "";
}

torch::jit::Module load_script(const std::string& file, c10::Device device) {
  if (!std::filesystem::is_regular_file(file)) throw Error(fmt::format("{}: no such file", file));
  torch::jit::Module script;
  try {
    script = torch::jit::load(file, device);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw Error(fmt::format("{}: not a TorchScript file LibTorch can load: {}", file, what.substr(0, what.find('\n'))));
  }
  if (const std::string fault = forward_fault(script); !fault.empty()) throw Error(fmt::format("{}: {}", file, fault));
  if (script.parameters().size() == 0) {
    throw Error(fmt::format("{}: the module has no parameters to train (torch.jit.freeze folds weights into constants; "
                            "save the module before freezing it)", file));
  }
  return script;
}

}  // namespace

void TorchScriptModelOptions::validate(const ConfigView& cfg) const {
  if (file.empty()) cfg.fail("file", "give the TorchScript file to load");
}

TorchScriptModelImpl::TorchScriptModelImpl(const BuildContext& ctx, const Options& options)
    : TorchScriptModelImpl(options.file, [&] {
        try {
          return load_script(options.file, ctx.device());
        } catch (const Error& e) {
          ctx.config().fail("file", e.what());
        }
      }()) {}

TorchScriptModelImpl::TorchScriptModelImpl(const std::string& file, c10::Device device)
    : TorchScriptModelImpl(file, load_script(file, device)) {}

TorchScriptModelImpl::TorchScriptModelImpl(std::string file, torch::jit::Module script)
    : file_(std::move(file)), script_(std::move(script)) {
  mirror(script_, *this);
  train(true);
}

at::Tensor TorchScriptModelImpl::forward(const at::Tensor& x) {
  // The graph as Python wrote it, op by op: the graph executor's optimisations (batch norm decomposed
  // into arithmetic after a few calls, fusion) would change the autograd graph between calls, which
  // the FLOPs count and the channel analysis read.
  torch::jit::GraphOptimizerEnabledGuard plain(false);
  return script_.forward({x}).toTensor();
}

void TorchScriptModelImpl::train(bool on) {
  Model::train(on);
  script_.train(on);
}

void TorchScriptModelImpl::to(torch::Device device, bool non_blocking) {
  Model::to(device, non_blocking);
  script_.to(device, non_blocking);  // tensor attributes that are neither parameters nor buffers
}

}  // namespace razor::models
