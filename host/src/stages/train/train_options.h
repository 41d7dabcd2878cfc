#pragma once
// [train]: how long the train stage runs and how often it validates.
#include <cstdint>

#include "razor/options.h"

namespace razor::host {

struct TrainOptions : Options<TrainOptions> {
  RAZOR_OPTION(std::int64_t, epochs, "training epochs", 10).positive();
  RAZOR_OPTION(std::int64_t, val_interval, "validate every this many epochs (and after the last)", 1).positive();
};

}  // namespace razor::host
