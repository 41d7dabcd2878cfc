#pragma once
// transform/random_crop: a window of `size` at a uniformly drawn place, after an optional border.
#include <cstdint>
#include <vector>

#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct RandomCropOptions : Options<RandomCropOptions> {
  RAZOR_OPTION(std::vector<std::int64_t>, size, "[size] or [height, width] of the crop ([]: the sample's own size)", {});
  RAZOR_OPTION(std::int64_t, padding, "border added on every side before cropping", 0).non_negative();
  RAZOR_OPTION(std::int64_t, fill, "level of the border, 0..255 (scaled to [0, 1] for tensors)", 0).in_range(0, 255);
  RAZOR_OPTION(bool, pad_if_needed, "pad a sample smaller than the crop instead of refusing it", false);
  void validate(const ConfigView& cfg) const;
};

class RandomCrop final : public Transform {
 public:
  using Options = RandomCropOptions;
  explicit RandomCrop(const Options& options) : options_(options) {}
  /// Throws DataError for a sample smaller than the crop (unless pad_if_needed).
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;

 private:
  Options options_;
};

}  // namespace razor::core
