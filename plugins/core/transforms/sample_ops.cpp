#include "transforms/sample_ops.h"

#include <ATen/ATen.h>

#include "razor/transform.h"

namespace razor::core {

std::pair<std::int64_t, std::int64_t> size_option(const std::vector<std::int64_t>& size) {
  return {size.at(0), size.size() > 1 ? size.at(1) : size.at(0)};
}

void check_size_option(const ConfigView& cfg, const std::string& key, const std::vector<std::int64_t>& size) {
  if (size.empty() || size.size() > 2) cfg.fail(key, "expected [size] or [height, width]");
  for (const auto s : size)
    if (s <= 0 || s > (1 << 16)) cfg.fail(key, "values must be in [1, 65536]");
}

at::Tensor crop(const at::Tensor& sample, std::int64_t top, std::int64_t left, std::int64_t h, std::int64_t w) {
  const int hd = is_picture(sample) ? 0 : 1;
  return sample.narrow(hd, top, h).narrow(hd + 1, left, w).contiguous();
}

at::Tensor pad(const at::Tensor& sample, std::int64_t top, std::int64_t bottom, std::int64_t left, std::int64_t right,
               std::int64_t fill) {
  if (is_picture(sample)) {
    at::Tensor out = at::full({sample.size(0) + top + bottom, sample.size(1) + left + right, sample.size(2)}, fill,
                              sample.options());
    out.narrow(0, top, sample.size(0)).narrow(1, left, sample.size(1)).copy_(sample);
    return out;
  }
  return at::constant_pad_nd(sample, {left, right, top, bottom}, static_cast<double>(fill) / 255.0);
}

at::Tensor flip(const at::Tensor& sample, bool horizontal) {
  const int hd = is_picture(sample) ? 0 : 1;
  return sample.flip({horizontal ? hd + 1 : hd});
}

at::Tensor as_float(const at::Tensor& sample) {
  return is_picture(sample) ? sample.permute({2, 0, 1}).to(at::kFloat).div_(255.0) : sample;
}

at::Tensor like_input(const at::Tensor& values, const at::Tensor& like) {
  if (!is_picture(like)) return values;
  return values.mul(255.0).round_().clamp_(0, 255).to(at::kByte).permute({1, 2, 0}).contiguous();
}

at::Tensor resize(const at::Tensor& sample, std::int64_t h, std::int64_t w, const std::string& interpolation) {
  if (sample_height(sample) == h && sample_width(sample) == w) return sample;
  at::Tensor x = as_float(sample).unsqueeze(0);
  if (interpolation == "nearest") {
    x = at::upsample_nearest2d(x, {h, w});
  } else {
    x = at::_upsample_bilinear2d_aa(x, {h, w}, false);
  }
  return like_input(x.squeeze(0), sample);
}

}  // namespace razor::core
