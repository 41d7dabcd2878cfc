#pragma once
// The geometric operations the transforms share, on either sample layout (razor/transform.h):
// a picture uint8 [H, W, C] or a tensor float [C, H, W].
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/config.h"

namespace razor::core {

/// Height and width from a `size` option: [s] for a square, [h, w] otherwise.
std::pair<std::int64_t, std::int64_t> size_option(const std::vector<std::int64_t>& size);
/// Checks a `size` option: one or two positive values.
void check_size_option(const ConfigView& cfg, const std::string& key, const std::vector<std::int64_t>& size);

/// The h x w window at (top, left), a view; the window must lie inside the sample.
at::Tensor crop(const at::Tensor& sample, std::int64_t top, std::int64_t left, std::int64_t h, std::int64_t w);
/// Border of `fill` (a 0..255 level, scaled to [0, 1] for tensors) around the sample.
at::Tensor pad(const at::Tensor& sample, std::int64_t top, std::int64_t bottom, std::int64_t left,
               std::int64_t right, std::int64_t fill);
/// Mirrored left-right (`horizontal`) or top-bottom.
at::Tensor flip(const at::Tensor& sample, bool horizontal);
/// Resampled to h x w: "bilinear" (antialiased when shrinking, as PIL resizes) gives a tensor, also from
/// a picture (resampled in float, not rounded back to 8 bits); "nearest" (torchvision's index rule)
/// keeps the layout.
at::Tensor resize(const at::Tensor& sample, std::int64_t h, std::int64_t w, const std::string& interpolation);

/// A float [C, H, W] view of the sample's values in [0, 1] (pictures converted), and back to the layout
/// of `like` (pictures rounded and clamped).
at::Tensor as_float(const at::Tensor& sample);
at::Tensor like_input(const at::Tensor& values, const at::Tensor& like);

}  // namespace razor::core
