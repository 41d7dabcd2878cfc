#pragma once
// transform/normalize: (value - mean) / std per channel, on a tensor (after to_tensor).
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/context.h"
#include "razor/transform.h"

namespace razor::core {

struct NormalizeOptions : Options<NormalizeOptions> {
  RAZOR_OPTION(std::vector<double>, mean, "per-channel mean, on the [0, 1] scale", required).not_empty();
  RAZOR_OPTION(std::vector<double>, std, "per-channel standard deviation, on the [0, 1] scale", required)
      .not_empty()
      .positive();
  void validate(const ConfigView& cfg) const;
};

class Normalize final : public Transform {
 public:
  using Options = NormalizeOptions;
  explicit Normalize(const Options& options);
  /// Throws DataError for a picture (put to_tensor first) or a channel count other than mean's.
  at::Tensor apply(at::Tensor sample, SampleRandom& random) const override;
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& std() const { return std_; }

 private:
  std::vector<double> mean_, std_;
  at::Tensor mean_t_, inv_std_t_;  // [C, 1, 1]
};

}  // namespace razor::core
