#pragma once
// The observers: which range of a tensor to quantize to.
//   min_max                 the smallest and largest value ever seen (per tensor)
//   moving_average_min_max  min and max of each call, averaged: m += c * (new - m) (per tensor)
//   per_channel_min_max     min and max of each output channel (dimension 0) ever seen: for weights
//   histogram               a histogram of every value seen; the range is the one whose int8 grid
//                           gives the least squared error over the histogram (clipping included), or
//                           the central `percentile` % of the values
#include <cstdint>
#include <utility>

#include "razor/context.h"
#include "razor/observer.h"

namespace razor::quantization {

struct MinMaxObserverOptions : Options<MinMaxObserverOptions> {};

class MinMaxObserver final : public Observer {
 public:
  using Options = MinMaxObserverOptions;
  MinMaxObserver(const BuildContext& ctx, const Options& options);
  MinMaxObserver();
  void observe(const at::Tensor& x) override;
  std::pair<at::Tensor, at::Tensor> range() const override;
  bool observed() const override;

 private:
  at::Tensor lo_, hi_;  // +inf / -inf until observed
};

struct MovingAverageMinMaxObserverOptions : Options<MovingAverageMinMaxObserverOptions> {
  RAZOR_OPTION(double, averaging_constant, "weight c of each new call's min and max", 0.01).in_range_open(0.0, 1.0);
};

class MovingAverageMinMaxObserver final : public Observer {
 public:
  using Options = MovingAverageMinMaxObserverOptions;
  MovingAverageMinMaxObserver(const BuildContext& ctx, const Options& options);
  void observe(const at::Tensor& x) override;
  std::pair<at::Tensor, at::Tensor> range() const override;
  bool observed() const override;

 private:
  double c_;
  at::Tensor lo_, hi_, calls_;
};

struct PerChannelMinMaxObserverOptions : Options<PerChannelMinMaxObserverOptions> {};

class PerChannelMinMaxObserver final : public Observer {
 public:
  using Options = PerChannelMinMaxObserverOptions;
  PerChannelMinMaxObserver(const BuildContext& ctx, const Options& options);
  PerChannelMinMaxObserver();
  void observe(const at::Tensor& x) override;
  std::pair<at::Tensor, at::Tensor> range() const override;
  bool per_channel() const override { return true; }
  bool observed() const override;

 private:
  at::Tensor lo_, hi_;  // [C] once observed; empty before
};

struct HistogramObserverOptions : Options<HistogramObserverOptions> {
  RAZOR_OPTION(std::int64_t, bins, "histogram bins", 2048).in_range(16, 1 << 20);
  RAZOR_OPTION(double, percentile, "keep the central percentile % of the values; 0: the least-error range", 0.0)
      .in_range(0.0, 100.0);
};

class HistogramObserver final : public Observer {
 public:
  using Options = HistogramObserverOptions;
  HistogramObserver(const BuildContext& ctx, const Options& options);
  void observe(const at::Tensor& x) override;
  std::pair<at::Tensor, at::Tensor> range() const override;
  bool observed() const override;

 private:
  std::int64_t bins_;
  double percentile_;
  at::Tensor counts_, lo_, hi_;  // counts over [lo, hi] in equal bins
};

}  // namespace razor::quantization
