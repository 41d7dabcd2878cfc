#include "transforms/center_crop.h"

#include <algorithm>
#include <cmath>

#include "transforms/sample_ops.h"

namespace razor::core {

void CenterCropOptions::validate(const ConfigView& cfg) const { check_size_option(cfg, "size", size); }

at::Tensor CenterCrop::apply(at::Tensor sample, SampleRandom&) const {
  const auto [h, w] = size_option(options_.size);
  const std::int64_t dh = std::max<std::int64_t>(0, h - sample_height(sample));
  const std::int64_t dw = std::max<std::int64_t>(0, w - sample_width(sample));
  if (dh || dw) sample = pad(sample, dh / 2, (dh + 1) / 2, dw / 2, (dw + 1) / 2, 0);
  // torchvision's rounding of the offsets.
  const auto top = static_cast<std::int64_t>(std::round((sample_height(sample) - h) / 2.0));
  const auto left = static_cast<std::int64_t>(std::round((sample_width(sample) - w) / 2.0));
  return crop(sample, top, left, h, w);
}

}  // namespace razor::core
