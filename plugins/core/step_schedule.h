#pragma once
// schedule/step: the base rate multiplied by gamma at each milestone epoch.
#include <vector>

#include "razor/context.h"
#include "razor/schedule.h"
#include "warmup.h"

namespace razor::core {

struct StepScheduleOptions : Options<StepScheduleOptions>, WarmupOptions {
  RAZOR_OPTION(std::vector<std::int64_t>, milestones, "epochs at which the rate is multiplied by gamma", {})
      .non_negative();
  RAZOR_OPTION(double, gamma, "decay factor", 0.1).positive();
};

class StepSchedule final : public Schedule {
 public:
  using Options = StepScheduleOptions;
  StepSchedule(const BuildContext&, const Options& options) : o_(options) {}
  double at(std::int64_t step, const ScheduleSpan& span) const override {
    double lr = span.base_lr;
    const std::int64_t epoch = step / span.steps_per_epoch;
    for (const std::int64_t m : o_.milestones)
      if (epoch >= m) lr *= o_.gamma;
    return o_.apply(lr, step, span);
  }

 private:
  Options o_;
};

}  // namespace razor::core
