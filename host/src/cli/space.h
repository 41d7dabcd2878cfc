#pragma once
// `razor-host space CONFIG`: the search space of a config's model without training: every search
// group with its choices, the number of subnets, and the range of each estimated cost.
// `razor-host units CONFIG`: the channel units of a config's model, as channel pruning finds them.
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "razor/algorithm.h"
#include "razor/estimator.h"

namespace CLI {
class App;
}

namespace razor::host {

class Session;

struct SpaceOptions {
  std::string config;
  std::vector<std::string> overrides;
  std::vector<std::int64_t> input;  // C, H, W; empty: the shape of the config's dataset
  std::vector<std::string> plugin_paths;
};

/// A config's algorithm built without training, for the inspection commands.
struct Inspected {
  std::shared_ptr<Session> session;  // first: the plugins outlive what they built
  std::shared_ptr<Algorithm> algorithm;
  std::shared_ptr<Estimator> estimator;  // null when the config has none
  std::vector<std::int64_t> image_shape;  // [1, C, H, W]
  /// A fresh algorithm from the same config (new random weights), e.g. to fix a subnet on a copy.
  std::function<std::shared_ptr<Algorithm>()> build_algorithm;
};

Inspected inspect_config(const SpaceOptions& options);

void space_command(const SpaceOptions& options, std::ostream& out);
void units_command(const SpaceOptions& options, std::ostream& out);

/// The options `space` and `units` share.
void add_space_options(CLI::App* cmd, SpaceOptions& options, const std::string& target_help = "TOML config file");

}  // namespace razor::host
