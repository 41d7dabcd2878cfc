#include "torchscript/torchscript_model.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/csrc/jit/serialization/import.h>

#include "razor/errors.h"
#include "razor/sliceable_layer.h"
#include "razor/zip_check.h"
#include "torchscript/script_surgery.h"

namespace razor::models {
namespace {

/// A plain module standing for one scripted submodule: same class name, same tensors; its training
/// flag is the scripted module's.
class ScriptedPartImpl : public torch::nn::Module {
 public:
  explicit ScriptedPartImpl(torch::jit::Module script)
      : torch::nn::Module(script.type()->name()->name()), script_(std::move(script)) {}
  void train(bool on = true) override {
    torch::nn::Module::train(on);  // the children follow, each setting its own scripted flag
    if (script_.hasattr("training")) script_.setattr("training", on);
  }

 protected:
  torch::jit::Module script_;
};

/// A scripted torch.nn Conv2d, BatchNorm2d or Linear: forward reads its tensors (and a grouped
/// convolution its groups, see script_surgery::expose_groups) from the scripted object, so slicing
/// sets them there while the registered tensors stay full.
class ScriptedLayerImpl final : public ScriptedPartImpl, public SliceableLayer {
 public:
  ScriptedLayerImpl(torch::jit::Module script, Kind kind) : ScriptedPartImpl(std::move(script)), kind_(kind) {}
  Kind sliceable_kind() const override { return kind_; }
  at::Tensor used(const std::string& name) const override {
    if (!script_.hasattr(name)) return {};
    const c10::IValue v = script_.attr(name);
    return v.isTensor() ? v.toTensor() : at::Tensor();
  }
  void use(const std::string& name, const at::Tensor& tensor) override {
    if (script_.hasattr(name) && script_.attr(name).isTensor()) script_.setattr(name, tensor);
  }
  std::int64_t groups() const override {
    return script_.hasattr(script_surgery::kGroups) ? script_.attr(script_surgery::kGroups).toInt() : 1;
  }
  void use_groups(std::int64_t groups) override {
    if (groups == this->groups()) return;
    if (!script_.hasattr(script_surgery::kGroups)) {
      throw Error(fmt::format("scripted convolution '{}' has groups fixed at 1", name()));
    }
    script_.setattr(script_surgery::kGroups, groups);
  }
  void resized() override {}  // the export copy writes torch.nn's size constants from the tensors

 private:
  Kind kind_;
};

/// The part standing for `script`: a sliceable layer for torch.nn's layers the slicer knows.
std::shared_ptr<ScriptedPartImpl> part_for(const torch::jit::Module& script) {
  using Kind = SliceableLayer::Kind;
  for (const auto& [name, kind] : {std::pair{"Conv2d", Kind::conv2d}, std::pair{"BatchNorm2d", Kind::batch_norm2d},
                                   std::pair{"Linear", Kind::linear}}) {
    if (script_surgery::is_torch_nn(script, name)) return std::make_shared<ScriptedLayerImpl>(script, kind);
  }
  return std::make_shared<ScriptedPartImpl>(script);
}

/// Registers the tensors of `script` (not its submodules') on `part`, then mirrors each submodule.
void mirror(const torch::jit::Module& script, torch::nn::Module& part) {
  for (const auto& p : script.named_parameters(/*recurse=*/false)) {
    // A scripted module's parameters may come back from torch.jit.load without requires_grad.
    part.register_parameter(p.name, p.value, /*requires_grad=*/true);
  }
  for (const auto& b : script.named_buffers(/*recurse=*/false)) part.register_buffer(b.name, b.value);
  for (const auto& child : script.named_children()) mirror(child.value, *part.register_module(child.name, part_for(child.value)));
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
    check_zip_archive(file);  // LibTorch's reader trusts the archive's offsets
    script = torch::jit::load(file, device);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", file, e.what()));
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
  script_surgery::expose_groups(script_);  // before anything runs: the executors keep what they ran
  mirror(script_, *this);
  std::vector<std::string> taps;
  for (const auto& item : script_.named_modules()) {
    if (!item.name.empty() && script_surgery::returns_tensor(item.value)) taps.push_back(item.name);
  }
  output_tap_ = "output";
  while (std::find(taps.begin(), taps.end(), output_tap_) != taps.end()) output_tap_ += "_";
  taps.push_back(output_tap_);
  taps_ = register_module("razor_taps", Taps(taps));
  train(true);
}

void TorchScriptModelImpl::tap_attached() {
  bool edited = false;
  for (const auto& name : taps_->names()) {
    if (name == output_tap_ || tapped_.count(name) || !taps_->attached(name)) continue;
    torch::jit::Module module = script_;
    for (std::size_t start = 0, dot = 0; dot != std::string::npos; start = dot + 1) {
      dot = name.find('.', start);
      module = module.attr(name.substr(start, dot == std::string::npos ? dot : dot - start)).toModule();
    }
    script_surgery::add_tap(module);
    tapped_.emplace(name, module);
    edited = true;
  }
  if (edited) script_surgery::refresh(script_);
}

at::Tensor TorchScriptModelImpl::forward(const at::Tensor& x) {
  tap_attached();
  for (auto& [path, module] : tapped_) module.setattr(script_surgery::kTap, c10::IValue());
  // The graph as Python wrote it, op by op: the graph executor's optimisations (batch norm decomposed
  // into arithmetic after a few calls, fusion) would change the autograd graph between calls, which
  // the FLOPs count and the channel analysis read.
  torch::jit::GraphOptimizerEnabledGuard plain(false);
  const at::Tensor out = script_.forward({x}).toTensor();
  for (auto& [path, module] : tapped_) {
    const c10::IValue recorded = module.attr(script_surgery::kTap);
    if (recorded.isNone()) throw Error(fmt::format("tap '{}': the submodule did not run in this forward", path));
    taps_->record(path, recorded.toTensor());  // a submodule called twice records its last call
  }
  return taps_->record(output_tap_, out);
}

void TorchScriptModelImpl::train(bool on) {
  Model::train(on);  // the parts set their scripted modules' flags
  if (script_.hasattr("training")) script_.setattr("training", on);
}

torch::jit::Module TorchScriptModelImpl::script_copy() const {
  try {
    return script_surgery::independent_copy(script_);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    const auto* c10 = dynamic_cast<const c10::Error*>(&e);
    const std::string why = c10 ? c10->what_without_backtrace() : e.what();
    throw Error(fmt::format("{}: cannot copy the scripted module for export: {}", file_, why.substr(0, why.find('\n'))));
  }
}

void TorchScriptModelImpl::to(torch::Device device, bool non_blocking) {
  Model::to(device, non_blocking);
  script_.to(device, non_blocking);  // tensor attributes that are neither parameters nor buffers
}

}  // namespace razor::models
