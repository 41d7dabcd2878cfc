#pragma once
// [train]: how long the train stage runs and how often it validates.
#include <cstdint>

#include "razor/options.h"

namespace razor::host {

struct TrainOptions : Options<TrainOptions> {
  // Bounded: a typo of a huge number would train "forever" rather than fail.
  RAZOR_OPTION(std::int64_t, epochs, "training epochs", 10).in_range(std::int64_t{1}, std::int64_t{1000000});
  RAZOR_OPTION(std::int64_t, val_interval, "validate every this many epochs (and after the last)", 1).positive();
  RAZOR_OPTION(std::int64_t, max_steps,
               "end each epoch after this many steps (0: every batch); with data.*_subset, a smoke test in seconds", 0)
      .non_negative();
};

}  // namespace razor::host
