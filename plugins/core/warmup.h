#pragma once
// The linear warm-up every schedule of the core family has: the rate ramps from warmup_start_factor
// of the schedule's value to all of it over warmup_epochs.
#include <cmath>
#include <cstdint>

#include "razor/options.h"
#include "razor/schedule.h"

namespace razor::core {

struct WarmupOptions {
  RAZOR_OPTION(double, warmup_epochs, "linear warm-up length in epochs (fractions allowed)", 0.0).non_negative();
  RAZOR_OPTION(double, warmup_start_factor, "warm-up starts at this fraction of the rate", 0.1).in_range(0.0, 1.0);

  /// `lr` during the warm-up steps, ramped.
  double apply(double lr, std::int64_t step, const ScheduleSpan& span) const {
    const auto steps = static_cast<std::int64_t>(std::llround(warmup_epochs * static_cast<double>(span.steps_per_epoch)));
    if (step >= steps) return lr;
    const double t = static_cast<double>(step) / static_cast<double>(steps);
    return lr * (warmup_start_factor + (1.0 - warmup_start_factor) * t);
  }
};

}  // namespace razor::core
