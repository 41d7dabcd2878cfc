#include "razor/state_dict.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/utils.h>

#include "pickle_reader.h"
#include "razor/errors.h"
#include "razor/zip_check.h"
#include "razor/model_weights.h"

namespace razor {

namespace {

using pickle::Value;
using Kind = pickle::Value::Kind;

// The keys under which checkpoints of common trainers keep the model's state_dict.
const std::vector<std::string> kStateDictKeys{"state_dict", "model", "model_state_dict", "module", "net"};

at::ScalarType storage_dtype(const std::string& type) {
  static const std::map<std::string, at::ScalarType> types{
      {"FloatStorage", at::kFloat},   {"DoubleStorage", at::kDouble}, {"HalfStorage", at::kHalf},
      {"BFloat16Storage", at::kBFloat16}, {"LongStorage", at::kLong}, {"IntStorage", at::kInt},
      {"ShortStorage", at::kShort},   {"CharStorage", at::kChar},     {"ByteStorage", at::kByte},
      {"BoolStorage", at::kBool},     {"UntypedStorage", at::kByte}};
  const auto found = types.find(type);
  if (found == types.end()) throw Error("a storage of type torch." + type + ", which razor does not read");
  return found->second;
}

// A storage's bytes from the zip record data/<key>, checked against the size the pickle gives.
at::Tensor read_storage(caffe2::serialize::PyTorchStreamReader& zip, const std::string& key, const std::string& type,
                        std::int64_t numel) {
  const at::ScalarType dtype = storage_dtype(type);
  const std::string record = "data/" + key;
  if (!zip.hasRecord(record)) throw Error("the storage record " + record + " is missing");
  auto [data, size] = zip.getRecord(record);
  const auto expected = static_cast<std::uint64_t>(numel) * at::elementSize(dtype);
  if (size != expected) {
    throw Error(fmt::format("the storage record {} holds {} bytes, the pickle asks for {} ({} x {})", record, size,
                            expected, numel, type));
  }
  at::Tensor storage = at::empty({numel}, at::TensorOptions().dtype(dtype));
  if (size) std::memcpy(storage.data_ptr(), data.get(), size);
  return storage;
}

bool is_state_dict(const Value& v) {
  if (v.kind != Kind::dict || v.entries.empty()) return false;
  for (const auto& [key, value] : v.entries)
    if (key->kind != Kind::string || value->kind != Kind::tensor) return false;
  return true;
}

std::string key_list(const Value& dict) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : dict.entries) {
    if (keys.size() == 5) {
      keys.emplace_back("...");
      break;
    }
    keys.push_back(key->kind == Kind::string ? "'" + key->text + "'" : pickle::describe(*key));
  }
  return fmt::format("{}", fmt::join(keys, ", "));
}

// The state_dict inside what the pickle holds, or an error saying what it holds instead.
void take_state_dict(const Value& top, StateDict& out) {
  const Value* found = nullptr;
  if (is_state_dict(top)) {
    found = &top;
    out.format = "PyTorch state_dict";
  } else if (top.kind == Kind::dict) {
    for (const auto& [key, value] : top.entries) {
      if (key->kind != Kind::string || !is_state_dict(*value)) continue;
      if (std::find(kStateDictKeys.begin(), kStateDictKeys.end(), key->text) == kStateDictKeys.end()) continue;
      found = value.get();
      out.format = "PyTorch checkpoint, its '" + key->text + "'";
      break;
    }
  }
  if (found == nullptr) {
    if (top.kind == Kind::object) {
      throw Error("it holds a pickled " + pickle::describe(top).substr(2) +
                  ", not a state_dict (save model.state_dict() in Python instead)");
    }
    if (top.kind != Kind::dict || top.entries.empty()) {
      throw Error("it holds " + pickle::describe(top) + ", not a state_dict (a dict of tensors)");
    }
    for (const auto& [key, value] : top.entries) {
      if (value->kind != Kind::tensor && key->kind == Kind::string && value->kind != Kind::dict) {
        throw Error(fmt::format("its dict (keys {}) is not a state_dict: '{}' is {}, and no {} entry holds one", key_list(top),
                                key->text, pickle::describe(*value), fmt::join(kStateDictKeys, "/")));
      }
    }
    throw Error(fmt::format("its dict (keys {}) holds no state_dict (a dict of tensors, alone or under {})", key_list(top),
                            fmt::join(kStateDictKeys, ", ")));
  }
  for (const auto& [key, value] : found->entries) out.tensors.emplace_back(key->text, value->tensor);
}

void read_pickled(caffe2::serialize::PyTorchStreamReader& zip, StateDict& out) {
  if (zip.hasRecord("byteorder")) {
    auto [data, size] = zip.getRecord("byteorder");
    if (std::string(static_cast<const char*>(data.get()), size) != "little")
      throw Error("it was written on a big-endian machine, which razor does not read");
  }
  auto [data, size] = zip.getRecord("data.pkl");
  const std::string pickled(static_cast<const char*>(data.get()), size);
  const pickle::ValuePtr top = pickle::read(pickled, [&](const std::string& key, const std::string& type, std::int64_t n) {
    return read_storage(zip, key, type, n);
  });
  take_state_dict(*top, out);
}

void read_torchscript(const std::string& path, StateDict& out) {
  torch::jit::Module module = torch::jit::load(path);
  for (const auto& p : module.named_parameters(/*recurse=*/true)) out.tensors.emplace_back(p.name, p.value);
  for (const auto& b : module.named_buffers(/*recurse=*/true)) out.tensors.emplace_back(b.name, b.value);
  // razor's weights files are archives of tensors alone; a TorchScript module has code.
  out.format = module.find_method("forward") ? "TorchScript module" : "razor weights";
  if (out.tensors.empty()) throw Error("its TorchScript module has no parameters or buffers");
}

// Whether the last 64 KiB of the file (where a zip keeps its directory of names) hold `text`. LibTorch's
// zip reader leaks its state when its constructor throws, as it does for a zip without a "version"
// record; such a zip is refused here first.
bool tail_holds(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - 65536);
  in.seekg(start);
  std::string tail(static_cast<std::size_t>(size - start), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail.find(text) != std::string::npos;
}

std::string first_bytes(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

bool is_batch_count(const std::string& key) {
  const std::string suffix = "num_batches_tracked";
  return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shape(const at::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }

// "3 missing (a, b, c, ...)": a count and the first few names.
std::string some(const std::vector<std::string>& names, const char* what) {
  constexpr std::size_t kShown = 3;
  std::vector<std::string> shown(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), kShown)));
  if (names.size() > kShown) shown.emplace_back("...");
  return fmt::format("{} {} ({})", names.size(), what, fmt::join(shown, ", "));
}

}  // namespace

StateDict read_state_dict(const std::string& path) {
  const std::string prefix = "cannot load weights from '" + path + "'";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(prefix + ": " + (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  StateDict out;
  out.file = path;
  try {
    const std::string magic = first_bytes(path, 4);
    if (magic.empty()) throw Error("the file is empty");
    if (magic.compare(0, 2, "\x80\x02") == 0)
      throw Error("it is in torch.save's legacy format (PyTorch < 1.6): load it in Python and torch.save it again");
    if (magic != std::string("PK\x03\x04", 4))
      throw Error("not a PyTorch or razor weights file (it is not a zip archive)");
    check_zip_archive(path);
    if (!tail_holds(path, "version"))
      throw Error("a zip archive without the records torch.save writes (no version, no data.pkl)");
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> opened;
    try {
      opened = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    } catch (const c10::Error& e) {
      if (std::string(e.what_without_backtrace()).find("hasRecord(\"version\")") != std::string::npos)
        throw Error("a zip archive without the records torch.save writes (no version, no data.pkl)");
      throw;
    }
    caffe2::serialize::PyTorchStreamReader& zip = *opened;
    if (zip.hasRecord("constants.pkl")) {
      read_torchscript(path, out);
    } else if (zip.hasRecord("data.pkl")) {
      read_pickled(zip, out);
    } else {
      throw Error("a zip archive without data.pkl (not written by torch.save)");
    }
  } catch (const Error& e) {
    throw Error(prefix + ": " + e.what());
  } catch (...) {
    rethrow_load_error(prefix);
  }
  return out;
}

std::string KeyMap::map(const std::string& key) const {
  std::string out = key;
  if (!strip_prefix.empty() && out.rfind(strip_prefix, 0) == 0) out.erase(0, strip_prefix.size());
  for (const auto& [pattern, replacement] : rename) {
    try {
      out = std::regex_replace(out, std::regex(pattern, std::regex::ECMAScript), replacement);
    } catch (const std::regex_error& e) {
      throw Error("rename: '" + pattern + "' is not a regular expression (" + e.what() + ")");
    }
  }
  return add_prefix + out;
}

KeyMap read_key_map(const ConfigView& table) {
  KeyMap keys;
  for (const auto& key : table.keys()) {
    if (key == "strip_prefix") {
      keys.strip_prefix = table.get_string(key);
    } else if (key == "add_prefix") {
      keys.add_prefix = table.get_string(key);
    } else if (key == "strict") {
      keys.strict = table.get_bool(key);
    } else if (key == "rename") {
      const auto renames = table.table(key);
      for (const auto& pattern : renames->keys()) {
        try {
          std::regex check(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          renames->fail(pattern, fmt::format("'{}' is not a regular expression ({})", pattern, e.what()));
        }
        keys.rename.emplace_back(pattern, renames->get_string(pattern));
      }
    } else {
      table.fail(key, "not a key-map option (strip_prefix, rename, add_prefix or strict)");
    }
  }
  return keys;
}

std::string LoadReport::summary() const {
  std::string line = fmt::format("loaded {} tensors from '{}' ({})", loaded, file, format);
  if (!missing.empty()) line += "; " + some(missing, "missing, left as they were");
  if (!unexpected.empty()) line += "; " + some(unexpected, "unexpected, ignored");
  return line;
}

LoadReport load_state_dict(torch::nn::Module& module, const StateDict& weights, const KeyMap& keys) {
  const std::string where = fmt::format("cannot load weights from '{}' ({})", weights.file, weights.format);
  std::map<std::string, std::size_t> file;  // mapped key -> index in weights.tensors
  for (std::size_t i = 0; i < weights.tensors.size(); ++i) {
    const std::string key = keys.map(weights.tensors[i].first);
    const auto [at, fresh] = file.emplace(key, i);
    if (!fresh) {
      throw Error(fmt::format("{}: '{}' and '{}' both become '{}'", where, weights.tensors[at->second].first,
                              weights.tensors[i].first, key));
    }
  }
  std::vector<std::pair<at::Tensor, const at::Tensor*>> copies;
  std::vector<std::string> wrong_shape;
  std::set<std::string> used;
  LoadReport report;
  report.file = weights.file;
  report.format = weights.format;
  auto visit = [&](const std::string& name, const at::Tensor& target) {
    if (!target.defined()) return;
    const auto found = file.find(name);
    if (found == file.end()) {
      if (!is_batch_count(name)) report.missing.push_back(name);
      return;
    }
    used.insert(name);
    const at::Tensor& source = weights.tensors[found->second].second;
    if (source.sizes() != target.sizes()) {
      wrong_shape.push_back(fmt::format("{}: {} in the file, {} in the model", name, shape(source), shape(target)));
      return;
    }
    copies.emplace_back(target, &source);
  };
  for (const auto& p : module.named_parameters(/*recurse=*/true)) visit(p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/true)) visit(b.key(), b.value());
  for (const auto& [name, tensor] : weights.tensors) {
    const std::string key = keys.map(name);
    if (!used.count(key) && !is_batch_count(key)) report.unexpected.push_back(key);
  }

  std::vector<std::string> faults;
  if (keys.strict && !report.missing.empty()) faults.push_back(some(report.missing, "missing"));
  if (keys.strict && !report.unexpected.empty()) faults.push_back(some(report.unexpected, "unexpected"));
  if (!wrong_shape.empty()) faults.push_back(some(wrong_shape, "of another shape"));
  if (copies.empty() && faults.empty()) faults.emplace_back("no tensor of the file matches a name in the model");
  if (!faults.empty()) {
    const bool names = !report.missing.empty() || !report.unexpected.empty();
    throw Error(fmt::format("{}: {}{}", where, fmt::join(faults, "; "),
                            names ? " (a key map — strip_prefix, rename, add_prefix — or strict = false may help)" : ""));
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, source] : copies) target.copy_(*source);
  report.loaded = static_cast<std::int64_t>(copies.size());
  return report;
}

}  // namespace razor
