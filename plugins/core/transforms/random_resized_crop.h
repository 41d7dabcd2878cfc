#pragma once
// transform/random_resized_crop: a window of random area and aspect ratio, resized to `size`
// (torchvision's RandomResizedCrop, Inception-style training crops).
#include <cstdint>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct RandomResizedCropOptions : Options<RandomResizedCropOptions> {
  RAZOR_OPTION(std::vector<std::int64_t>, size, "[size] or [height, width] of the output", required);
  RAZOR_OPTION(std::vector<double>, scale, "range of the window's area, as fractions of the sample's", {0.08, 1.0});
  RAZOR_OPTION(std::vector<double>, ratio, "range of the window's aspect ratio (width / height)", {3.0 / 4.0, 4.0 / 3.0});
  RAZOR_OPTION(std::string, interpolation, "bilinear (antialiased when shrinking) or nearest", "bilinear")
      .one_of({"bilinear", "nearest"});
  void validate(const ConfigView& cfg) const;
};

class RandomResizedCrop final : public Transform {
 public:
  using Options = RandomResizedCropOptions;
  explicit RandomResizedCrop(const Options& options) : options_(options) {}
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;

  struct Window {
    std::int64_t top, left, height, width;
  };
  /// The window for a sample of h x w: up to 10 draws, then the central crop within the ratio range.
  Window window(std::int64_t h, std::int64_t w, SampleRandom& random) const;

 private:
  Options options_;
};

}  // namespace razor::core
