// TorchScript export: rebuilds a torch::nn module tree as torch::jit modules whose `forward` is
// written as TorchScript source and compiled with define(). This path uses only public API, keeps
// the module hierarchy (Python sees `features._0.weight`, ...), and is shape-generic. Models it has
// no source for are traced instead (torchscript_trace.cpp).
#include "razor/torchscript_export.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/enum.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "not_scriptable.h"
#include "script_identifier.h"
#include "razor/module_type_name.h"
#include "razor/errors.h"
#include "razor/one_shot_op.h"
#include "razor/script_backed.h"
#include "razor/scriptable.h"
#include "razor/tap.h"

namespace razor {
namespace {

using torch::nn::Module;

constexpr const char* kHeader = "def forward(self, x: Tensor) -> Tensor:\n";

std::string shown(const std::string& path) { return path.empty() ? "(root)" : path; }

std::string join_path(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

/// A float literal TorchScript reads back as the same double ("1e-05", "0.1", "1.0", never "1").
std::string float_literal(double v) {
  if (!std::isfinite(v)) throw Error(fmt::format("cannot write {} as a TorchScript literal", v));
  std::string s = fmt::format("{}", v);  // shortest text that round-trips
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string bool_literal(bool v) { return v ? "True" : "False"; }

std::string int_list(at::IntArrayRef values) { return fmt::format("[{}]", fmt::join(values, ", ")); }

std::string returns(const std::string& expression) { return std::string(kHeader) + "    return " + expression + "\n"; }

// --- Forward sources of the known torch::nn layers ---------------------------------------------

/// Conv2d's padding option as a conv2d argument. LibTorch 1.13 has c10::variant and 2.x
/// std::variant; `using std::get_if` makes the unqualified call a template-id so that argument-
/// dependent lookup finds c10::get_if for the former.
std::string conv_padding(const decltype(torch::nn::Conv2dImpl::options)& o) {
  using std::get_if;
  if (const auto* pads = get_if<torch::ExpandingArray<2>>(&o.padding())) return int_list(*pads);
  if (get_if<torch::enumtype::kSame>(&o.padding())) return "\"same\"";
  return "[0, 0]";  // kValid
}

std::string conv2d_forward(const torch::nn::Conv2dImpl& conv, const std::string& path) {
  const auto& o = conv.options;
  const std::string mode = torch::enumtype::get_enum_name(o.padding_mode());
  if (mode != "kZeros") {
    throw Error(fmt::format("path '{}' (Conv2d): padding mode {} cannot be exported to TorchScript (only zeros)",
                            shown(path), mode));
  }
  return returns(fmt::format("torch.conv2d(x, self.weight, {}, {}, {}, {}, {})",
                             conv.bias.defined() ? "self.bias" : "None", int_list(*o.stride()), conv_padding(o),
                             int_list(*o.dilation()), o.groups()));
}

/// Eval-mode batch norm, as BatchNorm2dImpl::forward computes it in eval(): running statistics
/// when it tracks them, the batch's statistics when it does not.
std::string batch_norm_forward(const torch::nn::BatchNorm2dImpl& bn) {
  const auto& o = bn.options;
  const bool stats = o.track_running_stats() && bn.running_mean.defined() && bn.running_var.defined();
  const bool affine = bn.weight.defined() && bn.bias.defined();
  return returns(fmt::format("torch.batch_norm(x, {}, {}, {}, {}, {}, {}, {}, True)",
                             affine ? "self.weight" : "None", affine ? "self.bias" : "None",
                             stats ? "self.running_mean" : "None", stats ? "self.running_var" : "None",
                             bool_literal(!stats), float_literal(o.momentum().value_or(0.0)), float_literal(o.eps())));
}

std::string max_pool2d_forward(const torch::nn::MaxPool2dImpl& pool) {
  const auto& o = pool.options;
  return returns(fmt::format("torch.max_pool2d(x, {}, {}, {}, {}, {})", int_list(*o.kernel_size()),
                             int_list(*o.stride()), int_list(*o.padding()), int_list(*o.dilation()),
                             bool_literal(o.ceil_mode())));
}

/// An unset output size keeps the input's size along that dimension.
std::string adaptive_avg_pool2d_forward(const torch::nn::AdaptiveAvgPool2dImpl& pool) {
  const auto& size = *pool.options.output_size();
  std::vector<std::string> dims;
  for (std::size_t i = 0; i < size.size(); ++i) {
    dims.push_back(size[i].has_value() ? std::to_string(*size[i]) : fmt::format("x.size({})", int(i) - 2));
  }
  return returns(fmt::format("torch.adaptive_avg_pool2d(x, [{}])", fmt::join(dims, ", ")));
}

/// The forward source of a known torch::nn layer, or nullopt when `module` is none of them.
std::optional<std::string> layer_forward(const Module& module, const std::string& path) {
  if (const auto* m = dynamic_cast<const torch::nn::Conv2dImpl*>(&module)) return conv2d_forward(*m, path);
  if (const auto* m = dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&module)) return batch_norm_forward(*m);
  if (const auto* m = dynamic_cast<const torch::nn::LinearImpl*>(&module)) {
    return returns(fmt::format("torch.linear(x, self.weight, {})", m->bias.defined() ? "self.bias" : "None"));
  }
  if (dynamic_cast<const torch::nn::ReLUImpl*>(&module)) return returns("torch.relu(x)");
  if (dynamic_cast<const torch::nn::ReLU6Impl*>(&module)) return returns("torch.hardtanh(x, 0.0, 6.0)");
  if (const auto* m = dynamic_cast<const torch::nn::MaxPool2dImpl*>(&module)) return max_pool2d_forward(*m);
  if (const auto* m = dynamic_cast<const torch::nn::AdaptiveAvgPool2dImpl*>(&module)) {
    return adaptive_avg_pool2d_forward(*m);
  }
  if (const auto* m = dynamic_cast<const torch::nn::FlattenImpl*>(&module)) {
    return returns(fmt::format("torch.flatten(x, {}, {})", m->options.start_dim(), m->options.end_dim()));
  }
  // The export is an inference model: dropout is the identity in eval mode.
  if (dynamic_cast<const torch::nn::DropoutImpl*>(&module) || dynamic_cast<const torch::nn::Dropout2dImpl*>(&module) ||
      dynamic_cast<const torch::nn::IdentityImpl*>(&module)) {
    return returns("x");
  }
  return std::nullopt;
}

std::string sequential_forward(const std::vector<std::string>& children) {
  std::string source = kHeader;
  for (const auto& child : children) source += "    x = self." + child + ".forward(x)\n";
  return source + "    return x\n";
}

// --- The tree walk ------------------------------------------------------------------------------

/// One export: all classes share a compilation unit, which mangles repeated class names
/// (`Conv2d`, `___torch_mangle_0.Conv2d`), since layers with different hyper-parameters need
/// different forward sources.
class Exporter {
 public:
  torch::jit::Module convert(const Module& module, const std::string& path) {
    torch::jit::Module out(c10::QualifiedName("__torch__." + script_identifier(module_type_name(module))), unit_, /*shouldMangle=*/true);
    // What torch.jit.script gives every module; eval()/train() and Python's `.training` use it.
    out.register_attribute("training", c10::BoolType::get(), true);
    copy_tensors(module, out);
    define(out, forward_source(module, path, out), module, path);
    return out;
  }

 private:
  std::shared_ptr<torch::jit::CompilationUnit> unit_ = std::make_shared<torch::jit::CompilationUnit>();

  /// Own parameters and buffers, copied so that the export does not alias the live model.
  /// register_parameter does not set requires_grad, so the copy takes the source's flag itself
  /// (Python fine-tunes what the live model trains).
  static void copy_tensors(const Module& module, torch::jit::Module& out) {
    for (const auto& p : module.named_parameters(/*recurse=*/false)) {
      if (!p.value().defined()) continue;
      out.register_parameter(p.key(), p.value().detach().clone().requires_grad_(p.value().requires_grad()),
                             /*is_buffer=*/false);
    }
    for (const auto& b : module.named_buffers(/*recurse=*/false)) {
      if (b.value().defined()) out.register_buffer(b.key(), b.value().detach().clone());
    }
  }

  /// Exports `child` as `out.<script_identifier(name)>` and returns that identifier.
  std::string add_child(torch::jit::Module& out, const std::string& name, const Module& child,
                        const std::string& path) {
    const std::string id = script_identifier(name);
    if (out.hasattr(id)) {
      throw Error(fmt::format("path '{}': two submodules map to the TorchScript name '{}'", shown(path), id));
    }
    out.register_module(id, convert(child, join_path(path, name)));
    return id;
  }

  std::vector<std::string> add_children(const Module& module, const std::string& path, torch::jit::Module& out) {
    std::vector<std::string> ids;
    for (const auto& child : module.named_children()) {
      if (dynamic_cast<const TapsImpl*>(child.value().get())) continue;  // record points; nothing to infer
      ids.push_back(add_child(out, child.key(), *child.value(), path));
    }
    return ids;
  }

  /// Registers the children the forward uses and returns the forward's source.
  std::string forward_source(const Module& module, const std::string& path, torch::jit::Module& out) {
    if (const auto* scriptable = dynamic_cast<const Scriptable*>(&module)) {
      add_children(module, path, out);
      return scriptable->torchscript_forward();
    }
    if (const auto* op = dynamic_cast<const OneShotOpImpl*>(&module)) return one_shot_forward(*op, path, out);
    if (dynamic_cast<const torch::nn::SequentialImpl*>(&module)) {
      return sequential_forward(add_children(module, path, out));
    }
    if (auto source = layer_forward(module, path)) {
      add_children(module, path, out);  // none for the known layers; kept for subclasses
      return *source;
    }
    throw NotScriptable(fmt::format("path '{}' (type {}): has no TorchScript source; implement razor::Scriptable",
                            shown(path), module.name()));
  }

  /// Only the chosen candidate is written: the export is the static subnet.
  std::string one_shot_forward(const OneShotOpImpl& op, const std::string& path, torch::jit::Module& out) {
    const auto choice = op.current_choice();
    if (!choice) {
      throw Error(fmt::format("path '{}': cannot export a one-shot op with no choice: set or fix a subnet first",
                              shown(path)));
    }
    const std::string id = add_child(out, *choice, *op.candidate(*choice), path);
    return returns("self." + id + ".forward(x)");
  }

  static Error compile_error(const Module& module, const std::string& path, const std::string& why) {
    return Error(fmt::format("path '{}' (type {}): its TorchScript forward does not compile: {}", shown(path),
                             module.name(), why));
  }

  /// Compiles the forward; a TorchScript compile error names the module it came from.
  static void define(torch::jit::Module& out, const std::string& source, const Module& module,
                     const std::string& path) {
    try {
      out.define(source);
    } catch (const c10::Error& e) {
      throw compile_error(module, path, e.what_without_backtrace());
    } catch (const std::exception& e) {  // torch::jit::ErrorReport: its text shows the offending line
      throw compile_error(module, path, e.what());
    }
  }
};

}  // namespace

torch::jit::Module to_torchscript(const Module& module) {
  if (const auto* backed = dynamic_cast<const ScriptBacked*>(&module)) return backed->script_copy();
  torch::jit::Module out = Exporter().convert(module, "");
  out.eval();
  return out;
}

void save_torchscript(const Module& module, const std::string& path) { save_script_module(to_torchscript(module), path); }

void save_script_module(const torch::jit::Module& out, const std::string& path) {
  // Written beside the target, then renamed: a reader never sees a half-written file.
  const std::string tmp = path + ".tmp";
  try {
    out.save(tmp);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    const auto* c10 = dynamic_cast<const c10::Error*>(&e);
    throw Error(fmt::format("cannot write TorchScript module '{}': {}", path,
                            c10 ? c10->what_without_backtrace() : e.what()));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(fmt::format("cannot write TorchScript module '{}': {}", path, ec.message()));
}

}  // namespace razor
