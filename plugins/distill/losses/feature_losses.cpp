#include "feature_losses.h"

#include <ATen/ATen.h>

namespace razor::kd {
namespace {

const char* const kMaps = "[N, C, H, W] feature maps";

}  // namespace

// ---- channel_wise_divergence

void ChannelWiseDivergenceOptions::validate(const ConfigView& cfg) const { check_positive(cfg, "tau", tau); }

ChannelWiseDivergence::ChannelWiseDivergence(const BuildContext&, const Options& options)
    : KdLoss("channel_wise_divergence", kStudentTeacher, options.loss_weight), tau_(options.tau) {}

at::Tensor ChannelWiseDivergence::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 4, 4, kMaps);
  const std::int64_t n = args[0].size(0), c = args[0].size(1), hw = args[0].size(2) * args[0].size(3);
  const at::Tensor s = args[0].reshape({n * c, hw}) / tau_, t = args[1].reshape({n * c, hw}) / tau_;
  const at::Tensor kl = kl_terms(at::log_softmax(s, 1), at::softmax(t, 1)).sum();
  return kl * (tau_ * tau_) / static_cast<double>(n * c);
}

// ---- l2

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

// ---- l1

void L1Options::validate(const ConfigView& cfg) const { check_reduction(cfg, reduction, {"mean", "sum"}); }

L1Loss::L1Loss(const BuildContext&, const Options& options)
    : KdLoss("l1", kStudentTeacher, options.loss_weight), reduction_(to_reduction(options.reduction)) {}

at::Tensor L1Loss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 1, -1, "a tensor of rank >= 1");
  return reduce((args[0] - args[1]).abs(), reduction_);
}

// ---- attention_transfer

AttentionTransferLoss::AttentionTransferLoss(const BuildContext&, const Options& options)
    : KdLoss("attention_transfer", kStudentTeacher, options.loss_weight) {}

at::Tensor AttentionTransferLoss::compute(const std::vector<at::Tensor>& args) {
  const at::Tensor &s = args[0], &t = args[1];
  require_rank(s, "preds_S", 3, -1, "[N, C, H, W] (or [N, C, L]) feature maps");
  require_rank(t, "preds_T", 3, -1, "[N, C, H, W] (or [N, C, L]) feature maps");
  std::vector<std::int64_t> not_channels{0};
  for (std::int64_t d = 2; d < s.dim(); ++d) not_channels.push_back(d);
  require_same_dims(s, t, not_channels, "batch or spatial size (channels may differ)");
  // Attention map: the channel mean of x^2, flattened and L2-normalised per sample.
  const auto attention = [](const at::Tensor& x) { return l2_normalize(x.pow(2).mean(1).reshape({x.size(0), -1}), 1); };
  return (attention(s) - attention(t)).pow(2).mean();
}

// ---- pkd

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
