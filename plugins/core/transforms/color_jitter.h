#pragma once
// transform/color_jitter: random brightness, contrast, saturation and hue, in a random order
// (torchvision's ColorJitter).
#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct ColorJitterOptions : Options<ColorJitterOptions> {
  RAZOR_OPTION(double, brightness, "brightness factor drawn from [max(0, 1 - b), 1 + b] (0: unchanged)", 0.0)
      .non_negative();
  RAZOR_OPTION(double, contrast, "contrast factor drawn from [max(0, 1 - c), 1 + c]", 0.0).non_negative();
  RAZOR_OPTION(double, saturation, "saturation factor drawn from [max(0, 1 - s), 1 + s] (RGB only)", 0.0).non_negative();
  RAZOR_OPTION(double, hue, "hue shift drawn from [-h, h], in turns (RGB only)", 0.0).in_range(0.0, 0.5);
};

class ColorJitter final : public Transform {
 public:
  using Options = ColorJitterOptions;
  explicit ColorJitter(const Options& options) : options_(options) {}
  /// Works on values in [0, 1]; a picture comes back a picture (rounded once, at the end).
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;

 private:
  Options options_;
};

}  // namespace razor::core
