#pragma once
// transform/center_crop: the central window of `size`.
#include <cstdint>
#include <vector>

#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct CenterCropOptions : Options<CenterCropOptions> {
  RAZOR_OPTION(std::vector<std::int64_t>, size, "[size] or [height, width] of the crop", required);
  void validate(const ConfigView& cfg) const;
};

class CenterCrop final : public Transform {
 public:
  using Options = CenterCropOptions;
  explicit CenterCrop(const Options& options) : options_(options) {}
  /// A sample smaller than the crop is padded with zeros first (as torchvision does).
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;

 private:
  Options options_;
};

}  // namespace razor::core
