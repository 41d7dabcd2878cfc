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
  return sample.narrow(hd, top, h).narrow(hd + 1, left, w);  // a view: the next step reads it in place
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
  if (!is_picture(sample)) return sample;
  // One pass, reading the (possibly cropped) picture in its own order: LibTorch's strided
  // conversion of a permuted view is several times slower.
  const std::int64_t h = sample.size(0), w = sample.size(1), c = sample.size(2);
  const std::int64_t sy = sample.stride(0), sx = sample.stride(1), sc = sample.stride(2);
  at::Tensor out = at::empty({c, h, w}, at::kFloat);
  const std::uint8_t* in = sample.data_ptr<std::uint8_t>();
  float* o = out.data_ptr<float>();
  for (std::int64_t k = 0; k < c; ++k)
    for (std::int64_t y = 0; y < h; ++y) {
      const std::uint8_t* row = in + y * sy + k * sc;
      float* dst = o + (k * h + y) * w;
      for (std::int64_t x = 0; x < w; ++x) dst[x] = static_cast<float>(row[x * sx]) * (1.0f / 255.0f);
    }
  return out;
}

at::Tensor like_input(const at::Tensor& values, const at::Tensor& like) {
  if (!is_picture(like)) return values;
  return values.mul(255.0).round_().clamp_(0, 255).to(at::kByte).permute({1, 2, 0}).contiguous();
}

at::Tensor resize(const at::Tensor& sample, std::int64_t h, std::int64_t w, const std::string& interpolation) {
  if (sample_height(sample) == h && sample_width(sample) == w) return sample;
  if (interpolation == "nearest") {  // exact on pictures: no resampling in float
    const int hd = is_picture(sample) ? 0 : 1;
    const at::Tensor rows = at::floor(at::arange(h, at::kDouble) * (static_cast<double>(sample_height(sample)) / h)).to(at::kLong);
    const at::Tensor cols = at::floor(at::arange(w, at::kDouble) * (static_cast<double>(sample_width(sample)) / w)).to(at::kLong);
    return sample.index_select(hd, rows).index_select(hd + 1, cols);
  }
  const at::Tensor x = as_float(sample).unsqueeze(0).contiguous();
  return at::_upsample_bilinear2d_aa(x, {h, w}, false).squeeze(0);
}

}  // namespace razor::core
