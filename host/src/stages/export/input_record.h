#pragma once
// How to feed an exported model, recorded where a deployer looks: the [input] table of report.toml
// and attributes of the TorchScript modules (input_shape, input_layout, input_range, input_mean,
// input_std, class_names), which `razor-host latency FILE.pt` and Python read back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "session/data_setup.h"

namespace torch::jit {
struct Module;
}

namespace razor::host {

/// The [input] table of report.toml.
std::string input_toml(const InputSpec& input);

/// Adds the attributes to `module` (before it is saved).
void record_input(torch::jit::Module& module, const InputSpec& input);

/// C, H, W from a module's `input_shape` attribute, if it has one.
std::optional<std::vector<std::int64_t>> recorded_input_shape(const torch::jit::Module& module);

}  // namespace razor::host
