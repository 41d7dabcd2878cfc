#include "l2.h"

#include <ATen/ATen.h>

namespace razor::kd {

void L2Options::validate(const ConfigView& cfg) const { check_positive(cfg, "mult", mult); }

L2Loss::L2Loss(const BuildContext&, const Options& options)
    : KdLoss("l2", kStudentTeacher, options.loss_weight),
      normalize_(options.normalize),
      div_element_(options.div_element),
      dist_(options.dist),
      mult_(options.mult) {}

at::Tensor L2Loss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 2, -1, "[N, ...] features");
  at::Tensor s = args[0], t = args[1];
  if (normalize_) {
    s = l2_normalize(s.reshape({s.size(0), -1}), 1) * mult_;
    t = l2_normalize(t.reshape({t.size(0), -1}), 1) * mult_;
  }
  const at::Tensor squared = (s - t).pow(2).sum();
  if (dist_) return squared.sqrt();
  return squared / static_cast<double>(div_element_ ? s.numel() : s.size(0));
}

}  // namespace razor::kd
