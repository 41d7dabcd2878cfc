#pragma once
// schedule/constant: the base rate throughout (after the warm-up).
#include "razor/context.h"
#include "razor/schedule.h"
#include "warmup.h"

namespace razor::core {

struct ConstantScheduleOptions : Options<ConstantScheduleOptions>, WarmupOptions {};

class ConstantSchedule final : public Schedule {
 public:
  using Options = ConstantScheduleOptions;
  ConstantSchedule(const BuildContext&, const Options& options) : o_(options) {}
  double at(std::int64_t step, const ScheduleSpan& span) const override { return o_.apply(span.base_lr, step, span); }

 private:
  Options o_;
};

}  // namespace razor::core
