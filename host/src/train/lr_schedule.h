#pragma once
// Learning-rate schedules from the [schedule] section: constant, step, cosine; each with an optional
// linear warm-up. The rate is a pure function of the step, so checkpoints need only the step.
#include <cstdint>
#include <string>
#include <vector>

#include "razor/config.h"

namespace razor::host {

class LrSchedule {
 public:
  LrSchedule(const ConfigView& section, double base_lr, std::int64_t steps_per_epoch, std::int64_t epochs);
  double at(std::int64_t step) const;

 private:
  std::string type_;
  double base_lr_;
  std::int64_t steps_per_epoch_, total_steps_, warmup_steps_;
  double warmup_start_factor_;
  std::vector<std::int64_t> milestones_;  // epochs
  double gamma_ = 1.0, min_lr_ = 0.0;
};

}  // namespace razor::host
