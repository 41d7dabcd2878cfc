#pragma once
/// State dicts: a model's weights as named tensors, read from any of the files a PyTorch or razor user
/// has, and loaded into a module by name with PyTorch's `load_state_dict` rules.
///
/// Files read (by content, not by extension):
/// - Python's `torch.save(model.state_dict())` (the zip format of PyTorch >= 1.6), also a checkpoint
///   dict holding one under "state_dict", "model" or "model_state_dict" (mmengine, timm, Lightning);
/// - a TorchScript file (`torch.jit.save`): its parameters and buffers;
/// - a razor weights file (`model.pt` written by `razor-host run`, or save_weights()).
///
/// Example:
///   razor::StateDict weights = razor::read_state_dict("resnet18.pth");
///   razor::KeyMap keys;  keys.strip_prefix = "module.";
///   razor::LoadReport report = razor::load_state_dict(model, weights, keys);
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/config.h"
#include "razor/export.h"

namespace razor {

/// Named tensors in file order, with where they came from (for messages and the log).
struct StateDict {
  std::string file;
  std::string format;  // "PyTorch state_dict", "PyTorch checkpoint ['state_dict']", "TorchScript", "razor weights"
  std::vector<std::pair<std::string, at::Tensor>> tensors;
};

/// Reads every tensor of a weights file. Throws razor::Error with one line "cannot load weights from
/// 'file': why" for a file that is missing, not one of the formats above, damaged, or holding objects
/// other than tensors, dicts, lists and numbers (nothing in the file is executed).
RAZOR_API StateDict read_state_dict(const std::string& path);

/// How file keys become model keys, applied in this order: strip a prefix (keys without it are kept
/// as they are), each regex rename (std::regex_replace, ECMAScript), then add a prefix.
struct KeyMap {
  std::string strip_prefix;
  std::vector<std::pair<std::string, std::string>> rename;  // pattern, replacement
  std::string add_prefix;
  /// When false, missing and unexpected keys are reported, not refused (shapes must still agree).
  bool strict = true;
  /// The model key a file key maps to. Throws razor::Error for a pattern std::regex refuses.
  RAZOR_API std::string map(const std::string& key) const;
};

/// The key map a config table gives (`load_keys`, `teacher_keys`): { strip_prefix = "module.",
/// rename = { "^features\\." = "backbone." }, add_prefix = "", strict = true }; renames apply in file
/// order. Throws ConfigError (via table.fail) for an unknown key or a pattern std::regex refuses.
RAZOR_API KeyMap read_key_map(const ConfigView& table);

/// What load_state_dict did. Every list is in the model's or the file's order.
struct LoadReport {
  std::string file, format;  // where the tensors came from
  std::int64_t loaded = 0;
  std::vector<std::string> missing;     // model keys nothing in the file maps to
  std::vector<std::string> unexpected;  // file keys (after the map) the model does not have
  /// One line: "loaded N tensors from 'file' (format)", then "; M missing (a, b, c, ...)" etc.
  RAZOR_API std::string summary() const;
};

/// Copies the file's tensors into `module`'s parameters and buffers by (mapped) name, converting
/// dtype where it differs (a float16 file into a float32 model). Checks everything first and changes
/// nothing when it throws razor::Error, one line naming the file and the counts and first few names
/// of the missing, unexpected (strict only) and wrongly shaped keys. BatchNorm's `num_batches_tracked`
/// counts as neither missing nor unexpected when only one side has it (razor's and torchvision's
/// modules differ there).
RAZOR_API LoadReport load_state_dict(torch::nn::Module& module, const StateDict& weights, const KeyMap& keys = {});

}  // namespace razor
