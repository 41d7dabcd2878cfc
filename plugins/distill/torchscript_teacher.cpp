#include "torchscript_teacher.h"

#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/zip_check.h"

namespace razor::distill {
namespace {

/// The keys of the dict literal `forward` returns, or {} when it returns a tensor.
std::vector<std::string> returned_keys(torch::jit::Module& module, const std::string& path) {
  const auto graph = module.get_method("forward").graph();
  const torch::jit::Value* out = graph->outputs().at(0);
  if (out->type()->kind() == c10::TypeKind::TensorType) return {};
  const torch::jit::Node* node = out->node();
  if (out->type()->kind() != c10::TypeKind::DictType || node->kind() != c10::prim::DictConstruct) {
    throw Error(fmt::format("{}: the teacher's forward returns {}, expected a Tensor or a dict literal "
                            "{{'name': tensor, ...}}", path, out->type()->str()));
  }
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < node->inputs().size(); i += 2) {
    const auto key = torch::jit::toIValue(node->inputs()[i]);
    if (!key || !key->isString()) throw Error(fmt::format("{}: the teacher's forward returns a dict with computed keys", path));
    keys.push_back(key->toStringRef());
  }
  return keys;
}

}  // namespace

TorchScriptTeacherImpl::TorchScriptTeacherImpl(const std::string& path, const std::string& output_key,
                                               c10::Device device)
    : path_(path) {
  try {
    check_zip_archive(path);  // LibTorch's reader trusts the archive's offsets
    module_ = torch::jit::load(path, device);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw Error(fmt::format("{}: not a loadable TorchScript file: {}", path, what.substr(0, what.find('\n'))));
  }
  if (!module_.find_method("forward")) throw Error(fmt::format("{}: the TorchScript module has no forward", path));
  std::vector<std::string> keys = returned_keys(module_, path);
  if (keys.empty()) {
    keys = {"output"};
  } else {
    if (std::find(keys.begin(), keys.end(), output_key) == keys.end()) {
      throw Error(fmt::format("{}: the teacher's dict has no output key '{}' (keys: {})", path, output_key,
                              fmt::join(keys, ", ")));
    }
    output_key_ = output_key;
    keys.erase(std::find(keys.begin(), keys.end(), output_key));
    keys.push_back(output_key);  // the last tap is the model's output
  }
  taps_ = register_module("taps", razor::Taps(keys));
  module_.eval();
}

at::Tensor TorchScriptTeacherImpl::forward(const at::Tensor& x) {
  c10::IValue result = module_.forward({x});
  if (output_key_.empty()) return taps_->record("output", result.toTensor());
  const auto dict = result.toGenericDict();
  at::Tensor output;
  for (const auto& item : dict) {
    const std::string& key = item.key().toStringRef();
    const at::Tensor value = taps_->record(key, item.value().toTensor());
    if (key == output_key_) output = value;
  }
  return output;
}

void TorchScriptTeacherImpl::train(bool on) {
  Model::train(on);
  module_.train(on);
}

void TorchScriptTeacherImpl::to(torch::Device device, bool non_blocking) {
  Model::to(device, non_blocking);
  module_.to(device, non_blocking);
}

}  // namespace razor::distill
