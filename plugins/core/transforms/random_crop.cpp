#include "transforms/random_crop.h"

#include <algorithm>

#include <fmt/format.h>

#include "razor/errors.h"
#include "transforms/sample_ops.h"

namespace razor::core {

void RandomCropOptions::validate(const ConfigView& cfg) const {
  if (!size.empty()) check_size_option(cfg, "size", size);
}

at::Tensor RandomCrop::apply(at::Tensor sample, SampleRandom& random) const {
  const std::int64_t p = options_.padding;
  const auto [h, w] = options_.size.empty() ? std::pair{sample_height(sample), sample_width(sample)}
                                            : size_option(options_.size);
  if (p > 0) sample = pad(sample, p, p, p, p, options_.fill);
  if (options_.pad_if_needed) {
    const std::int64_t dh = std::max<std::int64_t>(0, h - sample_height(sample));
    const std::int64_t dw = std::max<std::int64_t>(0, w - sample_width(sample));
    if (dh || dw) sample = pad(sample, dh, dh, dw, dw, options_.fill);
  }
  const std::int64_t sh = sample_height(sample), sw = sample_width(sample);
  if (sh < h || sw < w)
    throw DataError(fmt::format("random_crop of {}x{} from a {}x{} sample (resize first, or pad_if_needed)", h, w, sh, sw));
  const std::int64_t top = random.integer(0, sh - h);
  const std::int64_t left = random.integer(0, sw - w);
  return crop(sample, top, left, h, w);
}

}  // namespace razor::core
