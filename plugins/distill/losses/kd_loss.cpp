#include "kd_loss.h"

#include <cmath>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::kd {

KdLoss::KdLoss(std::string name, std::vector<std::string> arguments, double loss_weight)
    : name_(std::move(name)), arguments_(std::move(arguments)), loss_weight_(loss_weight) {}

at::Tensor KdLoss::forward(const std::vector<at::Tensor>& args) {
  if (args.size() != arguments_.size()) {
    fail(fmt::format("got {} tensors, expected {} ({})", args.size(), arguments_.size(), fmt::join(arguments_, ", ")));
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i].defined()) fail(arguments_[i] + " is an undefined tensor");
  }
  return compute(args) * loss_weight_;
}

void KdLoss::fail(const std::string& message) const { throw Error(name_ + ": " + message); }

void KdLoss::require_same_shape(const at::Tensor& s, const at::Tensor& t) const {
  if (s.sizes() != t.sizes()) {
    fail(fmt::format("{} {} and {} {} differ in shape (a connector can map the student's features)", arguments_[0],
                     shape_of(s), arguments_[1], shape_of(t)));
  }
}

void KdLoss::require_same_dims(const at::Tensor& s, const at::Tensor& t, const std::vector<std::int64_t>& dims,
                               const std::string& what) const {
  bool same = s.dim() == t.dim();
  for (const std::int64_t d : dims) same = same && d < s.dim() && s.size(d) == t.size(d);
  if (!same) {
    fail(fmt::format("{} {} and {} {} differ in {}", arguments_[0], shape_of(s), arguments_[1], shape_of(t), what));
  }
}

void KdLoss::require_rank(const at::Tensor& t, const std::string& arg, std::int64_t min_rank, std::int64_t max_rank,
                          const std::string& layout) const {
  if (t.dim() < min_rank || (max_rank >= 0 && t.dim() > max_rank)) {
    fail(fmt::format("{} {} has rank {}, expected {}", arg, shape_of(t), t.dim(), layout));
  }
}

void KdLoss::require_pair(const at::Tensor& s, const at::Tensor& t, std::int64_t min_rank, std::int64_t max_rank,
                          const std::string& layout) const {
  require_rank(s, arguments_[0], min_rank, max_rank, layout);
  require_rank(t, arguments_[1], min_rank, max_rank, layout);
  require_same_shape(s, t);
}

void KdLoss::require_labels(const at::Tensor& labels, const at::Tensor& preds) const {
  const std::int64_t n = preds.size(0), classes = preds.size(1);
  if (labels.scalar_type() != at::kLong || labels.dim() != 1 || labels.size(0) != n) {
    fail(fmt::format("gt_labels {} of dtype {} do not fit {} {}: expected int64 class indices of shape [{}]",
                     shape_of(labels), c10::toString(labels.scalar_type()), arguments_[0], shape_of(preds), n));
  }
  if (labels.device() != preds.device()) {
    fail(fmt::format("gt_labels are on {}, {} on {}", labels.device().str(), arguments_[0], preds.device().str()));
  }
  if (n == 0) return;
  const std::int64_t lo = labels.min().item<std::int64_t>(), hi = labels.max().item<std::int64_t>();
  if (lo < 0 || hi >= classes) {
    fail(fmt::format("gt_labels hold {}, outside the {} classes of {} {}", lo < 0 ? lo : hi, classes, arguments_[0],
                     shape_of(preds)));
  }
}

std::string shape_of(const at::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }

void check_non_negative(const ConfigView& cfg, const std::string& key, double value) {
  if (!std::isfinite(value) || value < 0) cfg.fail(key, fmt::format("must be a finite number >= 0, got {}", value));
}

void check_positive(const ConfigView& cfg, const std::string& key, double value) {
  if (!std::isfinite(value) || value <= 0) cfg.fail(key, fmt::format("must be a finite number > 0, got {}", value));
}

void check_reduction(const ConfigView& cfg, const std::string& value, const std::vector<std::string>& allowed) {
  bool ok = false;
  for (const auto& a : allowed) ok = ok || a == value;
  if (!ok) {
    const std::string quoted = fmt::format("'{}'", fmt::join(allowed, "', '"));
    cfg.fail("reduction", value == "none"
                              ? fmt::format("'none' is not supported: the loss must be a scalar; use one of {}", quoted)
                              : fmt::format("must be one of {}, got '{}'", quoted, value));
  }
}

Reduction to_reduction(const std::string& value) {
  if (value == "batchmean") return Reduction::batchmean;
  return value == "sum" ? Reduction::sum : Reduction::mean;
}

at::Tensor reduce(const at::Tensor& terms, Reduction reduction) {
  switch (reduction) {
    case Reduction::batchmean: return terms.sum() / static_cast<double>(terms.size(0));
    case Reduction::sum: return terms.sum();
    case Reduction::mean: return terms.mean();
  }
  return terms.mean();
}

at::Tensor kl_terms(const at::Tensor& log_q_s, const at::Tensor& p_t) {
  return at::kl_div(log_q_s, p_t, at::Reduction::None, /*log_target=*/false);
}

at::Tensor l2_normalize(const at::Tensor& x, std::int64_t dim) {
  return x / x.norm(2, dim, /*keepdim=*/true).clamp_min(1e-12);
}

}  // namespace razor::kd
