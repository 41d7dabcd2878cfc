#pragma once
/// Schedule: the learning rate at each step (config `[schedule]`, e.g. `type = "cosine"`). A pure
/// function of the step, so a checkpoint needs only the step to resume it exactly.
///
/// Example: double lr = schedule.at(step, {0.1, 50, 2000});
#include <cstdint>

#include "razor/component.h"

namespace razor {

/// What a schedule is applied to: the base rate (the optimizer's) and the run's length in steps.
struct ScheduleSpan {
  double base_lr = 0.1;
  std::int64_t steps_per_epoch = 1;
  std::int64_t total_steps = 1;
};

class RAZOR_API Schedule : public Component {
 public:
  static constexpr const char* kKind = "schedule";
  ~Schedule() override;
  /// The learning rate at `step` (0-based).
  virtual double at(std::int64_t step, const ScheduleSpan& span) const = 0;
};

}  // namespace razor
