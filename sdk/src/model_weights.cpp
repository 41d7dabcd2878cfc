#include "razor/model_weights.h"

#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "razor/errors.h"

namespace razor {

void save_weights(const torch::nn::Module& module, const std::string& path) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  archive.save_to(path + ".tmp");
  std::filesystem::rename(path + ".tmp", path);
}

namespace {

// Walks the archive the way Module::load does, comparing shapes without changing anything.
void check_shapes(const torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& prefix,
                  const std::string& what) {
  const auto check = [&](const std::string& name, const at::Tensor& current, bool is_buffer) {
    at::Tensor stored;
    if (!archive.try_read(name, stored, is_buffer) || !current.defined()) return;  // Module::load reports it
    if (stored.sizes() != current.sizes()) {
      throw Error(fmt::format("{}: {}{}: shape [{}] in the file, [{}] in the model (another architecture or width?)",
                              what, prefix, name, fmt::join(stored.sizes(), ", "), fmt::join(current.sizes(), ", ")));
    }
  };
  for (const auto& p : module.named_parameters(/*recurse=*/false)) check(p.key(), p.value(), false);
  for (const auto& b : module.named_buffers(/*recurse=*/false)) check(b.key(), b.value(), true);
  for (const auto& child : module.named_children()) {
    torch::serialize::InputArchive child_archive;
    if (archive.try_read(child.key(), child_archive))
      check_shapes(*child.value(), child_archive, prefix + child.key() + ".", what);
  }
}

}  // namespace

void rethrow_load_error(const std::string& prefix) {
  try {
    throw;
  } catch (const Error&) {
    throw;  // already says what and where
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error(prefix + ": " + what.substr(0, what.find('\n')));
  } catch (const std::bad_alloc&) {  // LibTorch allocates what a length field in the archive says
    throw Error(prefix + ": it asks for more memory than there is (a damaged length field, or a model too large "
                         "for this machine)");
  } catch (const std::exception& e) {  // LibTorch's TorchScript reader reports a damaged archive this way
    const std::string what = e.what();
    throw Error(prefix + ": " + what.substr(0, what.find('\n')));
  }
}

void load_module_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                         const std::string& what) {
  check_shapes(module, archive, "", what);
  module.load(archive);
}

LoadReport load_weights(torch::nn::Module& module, const std::string& path, const KeyMap& keys) {
  return load_state_dict(module, read_state_dict(path), keys);
}

}  // namespace razor
