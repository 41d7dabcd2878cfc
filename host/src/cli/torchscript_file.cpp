#include "cli/torchscript_file.h"

#include <filesystem>

#include <fmt/format.h>
#include <torch/csrc/jit/serialization/import.h>

#include "razor/errors.h"
#include "razor/zip_check.h"
#include "stages/export/input_record.h"

namespace razor::host {

bool is_torchscript_target(const std::string& path) { return std::filesystem::path(path).extension() != ".toml"; }

torch::jit::Module load_torchscript_file(const std::string& verb, const std::string& path) {
  torch::jit::Module m;
  try {
    check_zip_archive(path);  // LibTorch's reader trusts the archive's offsets
    m = torch::jit::load(path, c10::Device(c10::kCPU));
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}: {}", verb, path, e.what()));
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error(fmt::format("{}: {} is not a TorchScript file LibTorch can load: {}", verb, path,
                            what.substr(0, what.find('\n'))));
  }
  m.eval();
  return m;
}

std::vector<std::int64_t> torchscript_input(const std::string& verb, const std::string& path,
                                            const torch::jit::Module& module, const std::vector<std::int64_t>& input) {
  if (!input.empty()) return input;
  // An export of razor's records its input; any other file needs --input.
  const auto recorded = recorded_input_shape(module);
  if (!recorded) throw ConfigError(fmt::format("{}: {} records no input shape; give --input C,H,W", verb, path));
  return *recorded;
}

}  // namespace razor::host
