#include "pkd.h"

#include <ATen/ATen.h>

namespace razor::kd {

PkdLoss::PkdLoss(const BuildContext&, const Options& options)
    : KdLoss("pkd", kStudentTeacher, options.loss_weight), resize_stu_(options.resize_stu) {}

namespace {

// Each channel to zero mean and unit (unbiased) std over N*H*W, as [C, N*H*W].
at::Tensor standardize_channels(const at::Tensor& x) {
  const at::Tensor f = x.transpose(0, 1).reshape({x.size(1), -1});
  return (f - f.mean(1, true)) / (at::std(f, at::IntArrayRef{1}, /*unbiased=*/true, /*keepdim=*/true) + 1e-6);
}

at::Tensor resize(const at::Tensor& x, const at::Tensor& like) {
  return at::upsample_bilinear2d(x, {like.size(2), like.size(3)}, /*align_corners=*/false);
}

}  // namespace

at::Tensor PkdLoss::compute(const std::vector<at::Tensor>& args) {
  at::Tensor s = args[0], t = args[1];
  require_rank(s, "preds_S", 4, 4, kMaps);
  require_rank(t, "preds_T", 4, 4, kMaps);
  require_same_dims(s, t, {0, 1}, "batch size or channels (a connector can map the student's channels)");
  if (s.sizes() != t.sizes()) {
    if (resize_stu_) {
      s = resize(s, t);
    } else {
      t = resize(t, s);
    }
  }
  return (standardize_channels(s) - standardize_channels(t)).pow(2).mean() / 2.0;
}

}  // namespace razor::kd
