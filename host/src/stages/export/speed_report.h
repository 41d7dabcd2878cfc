#pragma once
// "Is it faster?": after a search or pruning, the exported subnet timed against the original — a
// fresh copy of the config's model at its largest subnet (all channels for channel pruning, each
// group's last choice for a one-shot space) — at the user's batch sizes, eager and as frozen
// inference modules, with the estimator's costs (FLOPs, parameters); and a warning when a FLOPs cut buys no latency cut.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "razor/algorithm.h"
#include "razor/estimator.h"

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace razor::host {

struct SpeedSetup {
  std::function<std::shared_ptr<Algorithm>()> build_original;  // a fresh model of the config
  Estimator* estimator = nullptr;                              // may be null
  std::vector<std::int64_t> image_shape;                        // [1, C, H, W]
  std::vector<std::int64_t> batches{1, 64};
  std::int64_t runs = 20, warmup = 5;
};

struct SpeedRow {
  std::int64_t batch = 0;
  double original_eager_ms = 0, export_eager_ms = 0;
  double original_inference_ms = -1, export_inference_ms = -1;  // -1: no inference module
};

struct SpeedReport {
  std::vector<SpeedRow> rows;
  Costs original_costs, export_costs;  // the estimator's (flops, params), per image
  std::int64_t threads = 1;
  std::string warning;                 // empty: none
};

/// Times `exported` (fixed, eval mode) and, if given, its inference module against the original (whose
/// inference module takes the same layout).
SpeedReport compare_speed(const SpeedSetup& setup, Model& exported, const torch::jit::Module* exported_inference,
                          bool channels_last);

/// A FLOPs cut to at most kFlopsCut of the original that is not kNoSpeedUp times faster in any form at
/// any batch size: the warning saying so; else empty.
inline constexpr double kFlopsCut = 0.8, kNoSpeedUp = 1.1;
std::string speed_warning(const SpeedReport& report);

/// The report as a TOML section [speed], for report.toml.
std::string speed_toml(const SpeedReport& report);

/// The report as log lines (a table and the warning, if any).
std::vector<std::string> speed_lines(const SpeedReport& report);

}  // namespace razor::host
