#include "transforms/random_resized_crop.h"

#include <algorithm>
#include <cmath>

#include "transforms/sample_ops.h"

namespace razor::core {

void RandomResizedCropOptions::validate(const ConfigView& cfg) const {
  check_size_option(cfg, "size", size);
  if (scale.size() != 2 || !(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1))
    cfg.fail("scale", "expected [low, high] with 0 < low <= high <= 1");
  if (ratio.size() != 2 || !(ratio[0] > 0 && ratio[0] <= ratio[1])) cfg.fail("ratio", "expected [low, high] with 0 < low <= high");
}

RandomResizedCrop::Window RandomResizedCrop::window(std::int64_t h, std::int64_t w, SampleRandom& random) const {
  const double area = static_cast<double>(h * w);
  const double log_low = std::log(options_.ratio[0]), log_high = std::log(options_.ratio[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * random.uniform(options_.scale[0], options_.scale[1]);
    const double aspect = std::exp(random.uniform(log_low, log_high));
    const auto cw = static_cast<std::int64_t>(std::round(std::sqrt(target * aspect)));
    const auto ch = static_cast<std::int64_t>(std::round(std::sqrt(target / aspect)));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) return {random.integer(0, h - ch), random.integer(0, w - cw), ch, cw};
  }
  const double in_ratio = static_cast<double>(w) / static_cast<double>(h);
  std::int64_t ch = h, cw = w;
  if (in_ratio < options_.ratio[0]) {
    ch = static_cast<std::int64_t>(std::round(static_cast<double>(w) / options_.ratio[0]));
  } else if (in_ratio > options_.ratio[1]) {
    cw = static_cast<std::int64_t>(std::round(static_cast<double>(h) * options_.ratio[1]));
  }
  return {(h - ch) / 2, (w - cw) / 2, ch, cw};
}

at::Tensor RandomResizedCrop::apply(at::Tensor sample, SampleRandom& random) const {
  const Window win = window(sample_height(sample), sample_width(sample), random);
  const auto [h, w] = size_option(options_.size);
  return resize(crop(sample, win.top, win.left, win.height, win.width), h, w, options_.interpolation);
}

}  // namespace razor::core
