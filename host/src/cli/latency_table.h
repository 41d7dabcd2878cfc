#pragma once
// `razor-host latency-table CONFIG`: measures a latency table for the config's search space on this
// machine (see search/latency_table.h), then checks it: predicted against measured latency of random
// subnets, median and worst relative error. Every timing is of a freshly built model with the subnet
// fixed (unchosen candidates freed, channels sliced away): the exported model, not the supernet.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace razor::host {

struct LatencyTableOptions {
  std::string config;
  std::vector<std::string> overrides;  // --set
  std::vector<std::int64_t> input;     // C, H, W; default the dataset's
  std::string out;                     // default work_dirs/<config name>/latency_table.toml
  std::string form = "inference";      // inference (frozen TorchScript, what export/inference.pt runs) or eager
  std::int64_t batch = 1;
  std::int64_t threads = 0;            // 0: all cores
  std::int64_t runs = 30, warmup = 5;
  std::int64_t repeats = 3;            // fresh models timed per entry (the median is kept)
  std::int64_t samples = 10;           // random subnets the table is checked on (0: none)
  std::uint64_t seed = 0;
  std::vector<std::string> plugin_paths;
};

void latency_table_command(const LatencyTableOptions& options, std::ostream& out);

/// "<model name> (<cores> cores)" from /proc/cpuinfo, for tables and reports.
std::string machine_description();

}  // namespace razor::host
