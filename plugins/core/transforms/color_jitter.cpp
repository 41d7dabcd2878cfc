#include "transforms/color_jitter.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <ATen/ATen.h>

#include "transforms/sample_ops.h"

namespace razor::core {
namespace {

// ITU-R 601-2 luma of a [3, H, W] tensor, as torchvision's rgb_to_grayscale: [1, H, W].
at::Tensor grey(const at::Tensor& x) {
  if (x.size(0) == 1) return x;
  return (x[0] * 0.2989 + x[1] * 0.587 + x[2] * 0.114).unsqueeze(0);
}

at::Tensor blend(const at::Tensor& a, const at::Tensor& b, double factor) {
  return (a * factor + b * (1.0 - factor)).clamp_(0.0, 1.0);
}

// Hue rotated by `shift` turns: RGB -> HSV -> RGB, per pixel.
at::Tensor shift_hue(const at::Tensor& x, double shift) {
  at::Tensor out = x.contiguous().clone();
  const std::int64_t n = x.size(1) * x.size(2);
  float* r = out.data_ptr<float>();
  float* g = r + n;
  float* b = g + n;
  for (std::int64_t i = 0; i < n; ++i) {
    const float mx = std::max({r[i], g[i], b[i]}), mn = std::min({r[i], g[i], b[i]});
    const float v = mx, c = mx - mn;
    if (c <= 0.0f) continue;  // grey: no hue
    const float s = c / mx;
    float h;
    if (mx == r[i]) {
      h = (g[i] - b[i]) / c;
    } else if (mx == g[i]) {
      h = 2.0f + (b[i] - r[i]) / c;
    } else {
      h = 4.0f + (r[i] - g[i]) / c;
    }
    h = h / 6.0f + static_cast<float>(shift);
    h -= std::floor(h);
    const float h6 = h * 6.0f;
    const int sector = static_cast<int>(h6) % 6;
    const float f = h6 - std::floor(h6);
    const float p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    const std::array<std::array<float, 3>, 6> rgb = {
        {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}}};
    r[i] = rgb[sector][0];
    g[i] = rgb[sector][1];
    b[i] = rgb[sector][2];
  }
  return out;
}

double factor(double spread, SampleRandom& random) {
  return random.uniform(std::max(0.0, 1.0 - spread), 1.0 + spread);
}

}  // namespace

at::Tensor ColorJitter::apply(at::Tensor sample, SampleRandom& random) const {
  at::Tensor x = as_float(sample);
  std::array<int, 4> order = {0, 1, 2, 3};
  for (int i = 3; i > 0; --i) std::swap(order[i], order[random.integer(0, i)]);  // Fisher-Yates
  for (const int op : order) {
    if (op == 0 && options_.brightness > 0) {
      x = blend(x, at::zeros_like(x), factor(options_.brightness, random));
    } else if (op == 1 && options_.contrast > 0) {
      x = blend(x, grey(x).mean(), factor(options_.contrast, random));
    } else if (op == 2 && options_.saturation > 0) {
      const double f = factor(options_.saturation, random);
      if (x.size(0) == 3) x = blend(x, grey(x), f);
    } else if (op == 3 && options_.hue > 0) {
      const double shift = random.uniform(-options_.hue, options_.hue);
      if (x.size(0) == 3) x = shift_hue(x, shift);
    }
  }
  return like_input(x, sample);
}

}  // namespace razor::core
