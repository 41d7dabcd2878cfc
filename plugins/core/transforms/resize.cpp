#include "transforms/resize.h"

#include "transforms/sample_ops.h"

namespace razor::core {

void ResizeOptions::validate(const ConfigView& cfg) const { check_size_option(cfg, "size", size); }

at::Tensor Resize::apply(at::Tensor sample, SampleRandom&) const {
  std::int64_t h = options_.size[0], w = options_.size.size() > 1 ? options_.size[1] : 0;
  if (options_.size.size() == 1) {  // the shorter side to size[0], the longer in proportion (truncated)
    const std::int64_t sh = sample_height(sample), sw = sample_width(sample);
    if (sh <= sw) {
      w = h * sw / sh;
    } else {
      w = h;
      h = w * sh / sw;
    }
  }
  return resize(sample, h, w, options_.interpolation);
}

}  // namespace razor::core
