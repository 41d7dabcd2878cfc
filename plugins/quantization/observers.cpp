#include "observers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <ATen/ATen.h>

#include "razor/errors.h"

namespace razor::quantization {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

at::Tensor scalar(double v) { return at::full({}, v, at::kFloat); }

void require_observed(bool observed) {
  if (!observed) throw Error("an observer was asked for its range before it saw any values");
}

at::Tensor values(const at::Tensor& x) { return x.detach().to(at::kFloat); }

}  // namespace

MinMaxObserver::MinMaxObserver() {
  lo_ = register_buffer("min_val", scalar(kInf));
  hi_ = register_buffer("max_val", scalar(-kInf));
}
MinMaxObserver::MinMaxObserver(const BuildContext&, const Options&) : MinMaxObserver() {}

void MinMaxObserver::observe(const at::Tensor& x) {
  const at::Tensor v = values(x);
  if (v.numel() == 0) return;
  lo_.copy_(at::minimum(lo_, v.min().cpu()));
  hi_.copy_(at::maximum(hi_, v.max().cpu()));
}
std::pair<at::Tensor, at::Tensor> MinMaxObserver::range() const {
  require_observed(observed());
  return {lo_.clone(), hi_.clone()};
}
bool MinMaxObserver::observed() const { return lo_.item<double>() <= hi_.item<double>(); }

MovingAverageMinMaxObserver::MovingAverageMinMaxObserver(const BuildContext&, const Options& options)
    : c_(options.averaging_constant) {
  lo_ = register_buffer("min_val", scalar(0));
  hi_ = register_buffer("max_val", scalar(0));
  calls_ = register_buffer("calls", at::zeros({}, at::kLong));
}

void MovingAverageMinMaxObserver::observe(const at::Tensor& x) {
  const at::Tensor v = values(x);
  if (v.numel() == 0) return;
  const at::Tensor lo = v.min().cpu(), hi = v.max().cpu();
  if (calls_.item<std::int64_t>() == 0) {
    lo_.copy_(lo);
    hi_.copy_(hi);
  } else {
    lo_.add_(c_ * (lo - lo_));
    hi_.add_(c_ * (hi - hi_));
  }
  calls_.add_(1);
}
std::pair<at::Tensor, at::Tensor> MovingAverageMinMaxObserver::range() const {
  require_observed(observed());
  return {lo_.clone(), hi_.clone()};
}
bool MovingAverageMinMaxObserver::observed() const { return calls_.item<std::int64_t>() > 0; }

PerChannelMinMaxObserver::PerChannelMinMaxObserver() {
  lo_ = register_buffer("min_val", at::empty({0}, at::kFloat));
  hi_ = register_buffer("max_val", at::empty({0}, at::kFloat));
}
PerChannelMinMaxObserver::PerChannelMinMaxObserver(const BuildContext&, const Options&) : PerChannelMinMaxObserver() {}

void PerChannelMinMaxObserver::observe(const at::Tensor& x) {
  const at::Tensor v = values(x);
  if (v.dim() == 0 || v.numel() == 0) throw Error("a per-channel observer needs a tensor with channels in dimension 0");
  const at::Tensor flat = v.reshape({v.size(0), -1});
  const at::Tensor lo = std::get<0>(flat.min(1)).cpu(), hi = std::get<0>(flat.max(1)).cpu();
  if (lo_.numel() == 0) {
    lo_.set_(lo.clone());
    hi_.set_(hi.clone());
    return;
  }
  if (lo_.numel() != lo.numel())
    throw Error("a per-channel observer saw " + std::to_string(lo.numel()) + " channels after " + std::to_string(lo_.numel()));
  lo_.copy_(at::minimum(lo_, lo));
  hi_.copy_(at::maximum(hi_, hi));
}
std::pair<at::Tensor, at::Tensor> PerChannelMinMaxObserver::range() const {
  require_observed(observed());
  return {lo_.clone(), hi_.clone()};
}
bool PerChannelMinMaxObserver::observed() const { return lo_.numel() > 0; }

HistogramObserver::HistogramObserver(const BuildContext&, const Options& options)
    : bins_(options.bins), percentile_(options.percentile) {
  counts_ = register_buffer("histogram", at::zeros({bins_}, at::kDouble));
  lo_ = register_buffer("min_val", scalar(0));
  hi_ = register_buffer("max_val", scalar(-1));  // hi < lo: nothing seen
}

bool HistogramObserver::observed() const { return lo_.item<double>() <= hi_.item<double>(); }

void HistogramObserver::observe(const at::Tensor& x) {
  const at::Tensor v = values(x).flatten().cpu();
  if (v.numel() == 0) return;
  double lo = v.min().item<double>(), hi = v.max().item<double>();
  if (observed()) {
    const double old_lo = lo_.item<double>(), old_hi = hi_.item<double>();
    lo = std::min(lo, old_lo);
    hi = std::max(hi, old_hi);
    if (lo < old_lo || hi > old_hi) {
      // The old counts move to the wider range, each bin's count to the new bin holding its centre.
      const double old_width = (old_hi - old_lo) / static_cast<double>(bins_);
      const at::Tensor centres = old_lo + (at::arange(bins_, at::kDouble) + 0.5) * old_width;
      const at::Tensor moved = at::zeros({bins_}, at::kDouble);
      const at::Tensor index =
          at::clamp(at::floor((centres - lo) / ((hi - lo) / static_cast<double>(bins_))), 0, bins_ - 1).to(at::kLong);
      moved.index_add_(0, index, counts_);
      counts_.copy_(moved);
    }
  } else if (hi == lo) {
    hi = lo + 1e-6;  // one value: a bin width that is not zero
  }
  lo_.fill_(lo);
  hi_.fill_(hi);
  counts_.add_(at::histc(v.to(at::kDouble), bins_, lo, hi));
}

std::pair<at::Tensor, at::Tensor> HistogramObserver::range() const {
  require_observed(observed());
  const double lo = lo_.item<double>(), hi = hi_.item<double>();
  const double width = (hi - lo) / static_cast<double>(bins_);
  const auto* c = counts_.data_ptr<double>();
  // Prefix sums of counts, of i * count and of i^2 * count: a range's error in O(1).
  std::vector<double> s0(bins_ + 1, 0.0), s1(bins_ + 1, 0.0), s2(bins_ + 1, 0.0);
  for (std::int64_t i = 0; i < bins_; ++i) {
    const double d = static_cast<double>(i);
    s0[i + 1] = s0[i] + c[i];
    s1[i + 1] = s1[i] + d * c[i];
    s2[i + 1] = s2[i] + d * d * c[i];
  }
  const double total = s0.back();
  std::int64_t first = 0, last = bins_;  // the chosen range: bins [first, last)
  if (percentile_ > 0) {
    const double cut = total * (1 - percentile_ / 100) / 2;
    while (first < last - 1 && s0[first + 1] <= cut) ++first;
    while (last > first + 1 && total - s0[last - 1] <= cut) --last;
  } else {
    // Squared error of an 8-bit grid over bins [a, b): values inside are off by a rounding error
    // (step^2 / 12 on average), values outside by the distance of their bin's centre to the range.
    const auto error = [&](std::int64_t a, std::int64_t b) {
      const double step = static_cast<double>(b - a) * width / 255;
      const double pa = static_cast<double>(a) - 0.5, pb = static_cast<double>(b) - 0.5;
      const double below = pa * pa * s0[a] - 2 * pa * s1[a] + s2[a];
      const double above = (s2[bins_] - s2[b]) - 2 * pb * (s1[bins_] - s1[b]) + pb * pb * (s0[bins_] - s0[b]);
      return (s0[b] - s0[a]) * step * step / 12 + (below + above) * width * width;
    };
    // Greedy: shrink from the end whose next bin holds fewer values; keep the best range seen.
    double best = error(first, last);
    std::int64_t a = first, b = last, best_a = a, best_b = b;
    while (b - a > 2) {
      if (c[a] <= c[b - 1]) ++a; else --b;
      const double e = error(a, b);
      if (e < best) best = e, best_a = a, best_b = b;
    }
    first = best_a;
    last = best_b;
  }
  return {scalar(lo + static_cast<double>(first) * width), scalar(lo + static_cast<double>(last) * width)};
}

}  // namespace razor::quantization
