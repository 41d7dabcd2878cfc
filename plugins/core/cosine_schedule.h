#pragma once
// schedule/cosine: half a cosine from the base rate down to min_lr over the whole run, per step.
#include <cmath>

#include "razor/context.h"
#include "razor/schedule.h"
#include "warmup.h"

namespace razor::core {

struct CosineScheduleOptions : Options<CosineScheduleOptions>, WarmupOptions {
  RAZOR_OPTION(double, min_lr, "final learning rate", 0.0).non_negative();
};

class CosineSchedule final : public Schedule {
 public:
  using Options = CosineScheduleOptions;
  CosineSchedule(const BuildContext&, const Options& options) : o_(options) {}
  double at(std::int64_t step, const ScheduleSpan& span) const override {
    double lr = span.base_lr;
    if (span.total_steps > 0) {
      const double progress = static_cast<double>(step) / static_cast<double>(span.total_steps);
      lr = o_.min_lr + 0.5 * (span.base_lr - o_.min_lr) * (1.0 + std::cos(M_PI * progress));
    }
    return o_.apply(lr, step, span);
  }

 private:
  Options o_;
};

}  // namespace razor::core
