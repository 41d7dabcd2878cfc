#include "feature_losses.h"

#include <ATen/ATen.h>

namespace razor::kd {
namespace {

const char* const kMaps = "[N, C, H, W] feature maps";

}  // namespace

// ---- channel_wise_divergence

ChannelWiseDivergence::ChannelWiseDivergence(const BuildContext& ctx)
    : KdLoss(ctx, "channel_wise_divergence", kStudentTeacher), tau_(read_tau(ctx.config())) {}

at::Tensor ChannelWiseDivergence::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 4, 4, kMaps);
  const std::int64_t n = args[0].size(0), c = args[0].size(1), hw = args[0].size(2) * args[0].size(3);
  const at::Tensor s = args[0].reshape({n * c, hw}) / tau_, t = args[1].reshape({n * c, hw}) / tau_;
  const at::Tensor kl = kl_terms(at::log_softmax(s, 1), at::softmax(t, 1)).sum();
  return kl * (tau_ * tau_) / static_cast<double>(n * c);
}

ComponentInfo ChannelWiseDivergence::info() {
  return {DistillLoss::kKind,
          "channel_wise_divergence",
          "CWD: per channel, KL between the spatial softmaxes of preds_T and preds_S ([N, C, H, W]), tau^2 / (N*C)",
          {tau_option(), loss_weight_option()},
          &make_component<ChannelWiseDivergence>};
}

// ---- l2

L2Loss::L2Loss(const BuildContext& ctx)
    : KdLoss(ctx, "l2", kStudentTeacher),
      normalize_(ctx.config().get<bool>("normalize")),
      div_element_(ctx.config().get<bool>("div_element")),
      dist_(ctx.config().get<bool>("dist")),
      mult_(read_positive(ctx.config(), "mult")) {}

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

ComponentInfo L2Loss::info() {
  return {DistillLoss::kKind,
          "l2",
          "FitNets hint: sum of squared differences of the (normalised) features, divided by N",
          {{"normalize", "bool", "true", "L2-normalise each sample's flattened features first"},
           {"mult", "float", "1.0", "scale of the normalised features, > 0 (with normalize)"},
           {"div_element", "bool", "false", "divide by the number of elements instead of N"},
           {"dist", "bool", "false", "return the Euclidean distance (square root of the sum), no division"},
           loss_weight_option()},
          &make_component<L2Loss>};
}

// ---- l1

L1Loss::L1Loss(const BuildContext& ctx)
    : KdLoss(ctx, "l1", kStudentTeacher), reduction_(read_reduction(ctx.config(), {"mean", "sum"})) {}

at::Tensor L1Loss::compute(const std::vector<at::Tensor>& args) {
  require_pair(args[0], args[1], 1, -1, "a tensor of rank >= 1");
  return reduce((args[0] - args[1]).abs(), reduction_);
}

ComponentInfo L1Loss::info() {
  return {DistillLoss::kKind,
          "l1",
          "Mean (or sum) absolute difference between preds_S and preds_T",
          {reduction_option("'mean'", "'mean' or 'sum' over all elements"), loss_weight_option()},
          &make_component<L1Loss>};
}

// ---- attention_transfer

AttentionTransferLoss::AttentionTransferLoss(const BuildContext& ctx)
    : KdLoss(ctx, "attention_transfer", kStudentTeacher) {}

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

ComponentInfo AttentionTransferLoss::info() {
  return {DistillLoss::kKind,
          "attention_transfer",
          "AT: mean squared difference of the normalised attention maps mean_c(x^2); channel counts may differ",
          {loss_weight_option()},
          &make_component<AttentionTransferLoss>};
}

// ---- pkd

PkdLoss::PkdLoss(const BuildContext& ctx)
    : KdLoss(ctx, "pkd", kStudentTeacher), resize_stu_(ctx.config().get<bool>("resize_stu")) {}

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

ComponentInfo PkdLoss::info() {
  return {DistillLoss::kKind,
          "pkd",
          "PKD: half the MSE of per-channel standardised feature maps (about 1 - Pearson correlation, channel mean)",
          {{"resize_stu", "bool", "true",
            "when H, W differ: resize the student's maps to the teacher's (false: the teacher's to the student's)"},
           loss_weight_option()},
          &make_component<PkdLoss>};
}

}  // namespace razor::kd
