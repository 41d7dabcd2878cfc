#include "transforms/to_tensor.h"

#include "transforms/sample_ops.h"

namespace razor::core {

at::Tensor ToTensor::apply(at::Tensor sample, SampleRandom&) const { return as_float(sample).contiguous(); }

}  // namespace razor::core
