#pragma once
// A TorchScript file named on razor-host's command line (`latency FILE.pt`, `flops FILE.pt`).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/csrc/jit/api/module.h>

namespace razor::host {

/// Whether a command's target is a TorchScript file rather than a TOML config.
bool is_torchscript_target(const std::string& path);

/// The file loaded on the CPU in eval mode; razor::Error "VERB: PATH is not a TorchScript file LibTorch
/// can load: REASON" when it is not one.
torch::jit::Module load_torchscript_file(const std::string& verb, const std::string& path);

/// C, H, W: `input` when given, else the shape razor's export recorded in the file; ConfigError when
/// there is neither.
std::vector<std::int64_t> torchscript_input(const std::string& verb, const std::string& path,
                                            const torch::jit::Module& module, const std::vector<std::int64_t>& input);

}  // namespace razor::host
