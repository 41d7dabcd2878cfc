#include "razor/model_weights.h"

#include <filesystem>

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

void load_weights(torch::nn::Module& module, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("cannot load weights from '" + path + "': " +
                (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    module.load(archive);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error("cannot load weights from '" + path + "': " + what.substr(0, what.find('\n')));
  }
}

}  // namespace razor
