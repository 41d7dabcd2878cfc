#pragma once
// [search]: the searcher and how subnets are scored.
#include <cstdint>
#include <string>

#include "razor/options.h"
#include "razor/searcher.h"

namespace razor::host {

struct SearchOptions : Options<SearchOptions> {
  RAZOR_OPTION(Nested<Searcher>, searcher, "proposes the subnets to score", "{ type = 'evolution' }");
  RAZOR_OPTION(std::int64_t, calibrate_samples,
               "recalibrate batch-norm statistics on this many training images before scoring each subnet (0: off)", 1024)
      .check([](std::int64_t n) { return n >= 0; }, "must be 0 (off) or positive");
  RAZOR_OPTION(std::int64_t, score_samples,
               "score each subnet on a seeded subset of this many validation samples (0: all of them)", 0)
      .non_negative();
  RAZOR_OPTION(bool, norm_training, "score with batch statistics instead (the alternative to calibration)", false);
  RAZOR_OPTION(std::string, latency_table,
               "a table from `razor-host latency-table`: adds the cost latency_ms (predicted) for constraints and targets",
               "")
      .file_path();
};

}  // namespace razor::host
