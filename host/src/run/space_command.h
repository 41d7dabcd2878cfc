#pragma once
// `razor-host space CONFIG`: the search space of a config's model without training: every search
// group with its choices, the number of subnets, and the range of each estimated cost.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace razor::host {

struct SpaceOptions {
  std::string config;
  std::vector<std::string> overrides;
  std::vector<std::int64_t> input;  // C, H, W; empty: the shape of the config's dataset
  std::vector<std::string> plugin_paths;
};

void space_command(const SpaceOptions& options, std::ostream& out);

}  // namespace razor::host
