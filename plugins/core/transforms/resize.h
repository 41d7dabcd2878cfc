#pragma once
// transform/resize: to an exact size, or the shorter side to a length with the aspect ratio kept.
#include <cstdint>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct ResizeOptions : Options<ResizeOptions> {
  RAZOR_OPTION(std::vector<std::int64_t>, size,
               "[shorter side] (aspect ratio kept, as torchvision's Resize(int)) or [height, width]", required);
  RAZOR_OPTION(std::string, interpolation, "bilinear (antialiased when shrinking, as PIL) or nearest", "bilinear")
      .one_of({"bilinear", "nearest"});
  void validate(const ConfigView& cfg) const;
};

class Resize final : public Transform {
 public:
  using Options = ResizeOptions;
  explicit Resize(const Options& options) : options_(options) {}
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;

 private:
  Options options_;
};

}  // namespace razor::core
