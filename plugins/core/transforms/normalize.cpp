#include "transforms/normalize.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::core {

void NormalizeOptions::validate(const ConfigView& cfg) const {
  if (mean.size() != std.size()) cfg.fail("std", fmt::format("has {} values, mean has {}", std.size(), mean.size()));
}

Normalize::Normalize(const Options& options) : mean_(options.mean), std_(options.std) {
  const auto c = static_cast<std::int64_t>(mean_.size());
  mean_t_ = at::tensor(mean_, at::kFloat).view({c, 1, 1});
  inv_std_t_ = 1.0 / at::tensor(std_, at::kFloat).view({c, 1, 1});
}

at::Tensor Normalize::apply(at::Tensor sample, SampleRandom&) const {
  if (is_picture(sample)) throw DataError("normalize takes a tensor; put to_tensor before it in the pipeline");
  if (sample.size(0) != mean_t_.size(0))
    throw DataError(fmt::format("normalize has {} mean values, the sample has {} channels", mean_t_.size(0),
                                sample.size(0)));
  return (sample - mean_t_) * inv_std_t_;
}

}  // namespace razor::core
