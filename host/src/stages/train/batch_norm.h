#pragma once
// Batch-norm statistics while searching: snapshot and restore, recalibration on training images for
// the path now chosen, and "norm training" (normalise with batch statistics in eval mode).
#include <cstdint>
#include <functional>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>

#include "session/batch_loader.h"

namespace razor::host {

/// The running statistics of every batch-norm layer (1d, 2d, 3d) of a module, copied.
class BatchNormSnapshot {
 public:
  explicit BatchNormSnapshot(torch::nn::Module& module);
  /// Puts the copied statistics back.
  void restore() const;

 private:
  std::vector<std::pair<at::Tensor, at::Tensor>> buffers_;  // (live, copy)
};

/// Replaces the running statistics of every batch-norm layer of `module` by the mean and unbiased
/// variance of its inputs over the first `samples` images of `loader` (averaged over batches, each
/// batch weighing the same, as when momentum is 1/n). Runs without gradients; restores the mode.
void calibrate_batch_norm(torch::nn::Module& module, const std::function<void(const at::Tensor&)>& forward,
                          const BatchLoader& loader, std::int64_t samples, c10::Device device);

/// While alive, batch-norm layers normalise with batch statistics even in eval mode, and leave their
/// running statistics alone (momentum 0). Construct after module.eval().
class BatchStatsGuard {
 public:
  explicit BatchStatsGuard(torch::nn::Module& module);
  ~BatchStatsGuard();
  BatchStatsGuard(const BatchStatsGuard&) = delete;
  BatchStatsGuard& operator=(const BatchStatsGuard&) = delete;

 private:
  struct Saved {
    torch::nn::Module* layer;
    c10::optional<double>* momentum;
    c10::optional<double> before;
    bool training;
  };
  std::vector<Saved> saved_;
};

}  // namespace razor::host
