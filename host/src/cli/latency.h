#pragma once
// `razor-host latency TARGET`: the measured inference time of a model — a config's model (its current
// subnet or a given one, with trained weights if given) or an exported TorchScript file (subnet.pt,
// inference.pt) — at several batch sizes: warm-up calls, then repeated timed calls; the median and
// the spread (fastest and slowest tenth) in milliseconds. Eval mode, no gradients.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace razor::host {

struct LatencyOptions {
  std::string target;                  // a .toml config, or a TorchScript .pt file
  std::vector<std::string> overrides;  // --set, for a config
  std::string subnet;                  // a subnet.toml to apply (config only)
  std::string weights;                 // a model.pt to load (config only)
  std::vector<std::int64_t> input;     // C, H, W; a config defaults to its dataset's shape
  std::vector<std::int64_t> batches{1, 8, 64};
  std::int64_t threads = 0;            // 0: all cores
  std::int64_t runs = 30, warmup = 5;
  bool optimize = false;               // TorchScript: torch::jit::optimize_for_inference after loading
  std::vector<std::string> plugin_paths;
};

void latency_command(const LatencyOptions& options, std::ostream& out);

}  // namespace razor::host
