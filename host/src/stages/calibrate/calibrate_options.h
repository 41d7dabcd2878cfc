#pragma once
// [calibrate]: what the calibrate stage shows the algorithm (a quantizer finds its ranges on it).
#include <cstdint>

#include "razor/options.h"

namespace razor::host {

struct CalibrateOptions : Options<CalibrateOptions> {
  RAZOR_OPTION(std::int64_t, samples, "training images observed (through the test pipeline, shuffled)", 1024)
      .in_range(std::int64_t{1}, std::int64_t{100000000});
};

}  // namespace razor::host
