#include "l1.h"

#include <ATen/ATen.h>

namespace razor::kd {

void L1Options::validate(const ConfigView& cfg) const { check_reduction(cfg, reduction, {"mean", "sum"}); }

L1Loss::L1Loss(const BuildContext&, const Options& options)
    : KdLoss("l1", kStudentTeacher, options.loss_weight), reduction_(to_reduction(options.reduction)) {}

at::Tensor L1Loss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 1, -1, "a tensor of rank >= 1");
  return reduce((args[0] - args[1]).abs(), reduction_);
}

}  // namespace razor::kd
