#pragma once
// [export]: which subnet is exported, how it is checked, and what is written.
#include <cstdint>
#include <string>
#include <vector>

#include "razor/options.h"

namespace razor::host {

struct ExportOptions : Options<ExportOptions> {
  RAZOR_OPTION(std::string, subnet, "subnet.toml to export; empty: the search stage's result", "").file_path();
  RAZOR_OPTION(std::int64_t, check_samples, "validation images the equivalence check compares outputs on", 16).positive();
  RAZOR_OPTION(bool, torchscript, "also write export/subnet.pt (TorchScript, loadable by Python)", true);
  RAZOR_OPTION(bool, inference, "with torchscript: also export/inference.pt, frozen, batch norm folded into the convolutions",
               true);
  RAZOR_OPTION(std::string, inference_layout,
               "memory layout of inference.pt: contiguous, channels_last, or auto (both timed at speed_batches, the faster kept)",
               "auto")
      .one_of({"auto", "contiguous", "channels_last"});
  RAZOR_OPTION(std::vector<std::int64_t>, speed_batches,
               "after a search or pruning, time the export against the original at these batch sizes ([] = off)", {1, 64})
      .check(
          [](const std::vector<std::int64_t>& b) {
            for (auto x : b)
              if (x < 1) return false;
            return true;
          },
          "expected positive batch sizes, e.g. [1, 64]");
  RAZOR_OPTION(double, int8_agreement,
               "an int8 inference.pt must predict the class the simulated (fake-quantized) model predicts on at least "
               "this fraction of the validation images", 0.995)
      .in_range(0.0, 1.0);
  RAZOR_OPTION(double, int8_top1_gap, "and its validation top-1 may differ from the simulated model's by at most this "
               "many points (or one image)", 0.1)
      .non_negative();
  RAZOR_OPTION(std::int64_t, speed_runs, "timed calls per model and batch size for that report", 20).positive();
};

}  // namespace razor::host
