#include "transforms/random_flip.h"

#include "transforms/sample_ops.h"

namespace razor::core {

at::Tensor RandomFlip::apply(at::Tensor sample, SampleRandom& random) const {
  if (!random.chance(options_.prob)) return sample;
  return flip(sample, options_.direction == "horizontal");
}

}  // namespace razor::core
