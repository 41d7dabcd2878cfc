#pragma once
// transform/random_flip: mirrors a sample with probability `prob`.
#include <string>

#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct RandomFlipOptions : Options<RandomFlipOptions> {
  RAZOR_OPTION(double, prob, "probability of flipping", 0.5).in_range(0.0, 1.0);
  RAZOR_OPTION(std::string, direction, "horizontal (left-right) or vertical (top-bottom)", "horizontal")
      .one_of({"horizontal", "vertical"});
};

class RandomFlip final : public Transform {
 public:
  using Options = RandomFlipOptions;
  explicit RandomFlip(const Options& options) : options_(options) {}
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;

 private:
  Options options_;
};

}  // namespace razor::core
