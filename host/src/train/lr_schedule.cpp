#include "train/lr_schedule.h"

#include <cmath>

namespace razor::host {

LrSchedule::LrSchedule(const ConfigView& s, double base_lr, std::int64_t steps_per_epoch, std::int64_t epochs)
    : type_(s.get<std::string>("type")), base_lr_(base_lr), steps_per_epoch_(steps_per_epoch),
      total_steps_(steps_per_epoch * epochs) {
  const double warmup_epochs = s.get<double>("warmup_epochs");
  if (warmup_epochs < 0) s.fail("warmup_epochs", "must not be negative");
  warmup_steps_ = static_cast<std::int64_t>(std::llround(warmup_epochs * static_cast<double>(steps_per_epoch)));
  warmup_start_factor_ = s.get<double>("warmup_start_factor");
  if (type_ == "step") {
    milestones_ = s.get<std::vector<std::int64_t>>("milestones");
    gamma_ = s.get<double>("gamma");
  } else if (type_ == "cosine") {
    min_lr_ = s.get<double>("min_lr");
  } else if (type_ != "constant") {
    s.fail("type", "unknown schedule '" + type_ + "' (known: constant, step, cosine)");
  }
}

double LrSchedule::at(std::int64_t step) const {
  double lr = base_lr_;
  if (type_ == "step") {
    const std::int64_t epoch = step / steps_per_epoch_;
    for (std::int64_t m : milestones_)
      if (epoch >= m) lr *= gamma_;
  } else if (type_ == "cosine" && total_steps_ > 0) {
    const double progress = static_cast<double>(step) / static_cast<double>(total_steps_);
    lr = min_lr_ + 0.5 * (base_lr_ - min_lr_) * (1.0 + std::cos(M_PI * progress));
  }
  if (step < warmup_steps_) {
    const double t = static_cast<double>(step) / static_cast<double>(warmup_steps_);
    lr *= warmup_start_factor_ + (1.0 - warmup_start_factor_) * t;
  }
  return lr;
}

}  // namespace razor::host
