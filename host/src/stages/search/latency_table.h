#pragma once
// A latency table: the measured inference time of a search space's subnets on one machine, as a base
// (the reference subnet: each group's middle choice) plus one measured change per group and choice
// (that choice put in the reference, everything else kept). A subnet's predicted latency is the base
// plus its choices' changes: exact when a group's cost does not depend on the other groups (one-shot
// op spaces), an approximation for channel widths (a layer's cost depends on two widths). Built by
// `razor-host latency-table`, read by the search stage (search.latency_table) as the cost latency_ms.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "razor/search_space.h"

namespace razor::host {

struct LatencyTable {
  std::string config;                   // the config it was measured for
  std::string machine;                  // CPU model and core count
  std::string form = "inference";       // what was timed: "inference" (frozen TorchScript) or "eager"
  std::int64_t threads = 1, batch = 1;
  std::vector<std::int64_t> input;      // C, H, W
  double base_ms = 0;                   // the reference subnet
  std::map<std::string, std::map<std::string, double, NaturalOrder>, NaturalOrder> delta_ms;  // group -> choice -> change
  // Predicted against measured on random subnets (relative errors); samples 0: not validated.
  std::int64_t samples = 0;
  double median_error = 0, worst_error = 0;

  /// base_ms plus the change of each group's choice. Throws razor::Error for a group or choice the
  /// table lacks.
  double predict(const Subnet& subnet) const;
  /// The smallest prediction of any subnet: each group's fastest choice. Not positive means the
  /// measurements were too noisy to trust (a busy machine).
  double fastest_prediction() const;
};

/// The reference subnet: each group's middle choice (the one the changes are measured against).
Subnet reference_subnet(const std::vector<SearchGroup>& groups);

/// Reads `path` and checks that it has an entry for every choice of every group of `groups` and
/// nothing else; throws razor::ConfigError naming the file, the place and the fault.
LatencyTable load_latency_table(const std::string& path, const std::vector<SearchGroup>& groups);

/// Writes the table as TOML (atomically).
void save_latency_table(const LatencyTable& table, const std::string& path);

}  // namespace razor::host
