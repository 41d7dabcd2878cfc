#pragma once
// GradientSync: data-parallel gradient averaging. After a step's backward passes (one or several,
// accumulated locally, as the sandwich rule takes them), each rank's gradients go out in a few flat
// buckets, summed over the ranks in one round of collectives, and come back averaged.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "parallel/group.h"

namespace razor::host {

class GradientSync {
 public:
  /// `bucket_bytes`: the size a bucket grows to before a new one starts (at least one parameter each).
  GradientSync(Group& group, std::vector<at::Tensor> parameters, std::int64_t bucket_bytes);

  /// Averages every parameter's gradient over the ranks. A parameter this rank's subnet did not use
  /// (no gradient) sends zeros, so all ranks send the same buckets without a per-step graph search;
  /// one no rank used is left without a gradient, as in a single process, so the optimizer skips it.
  /// `stop`: this rank's stop request (a signal number, or 0). Returns the request the ranks agree on,
  /// carried in the same buckets: SIGINT if any rank has one, else another signal if any, else 0.
  int reduce(int stop);

  std::size_t buckets() const { return buckets_.size(); }

 private:
  Group& group_;
  std::vector<at::Tensor> params_;
  std::vector<std::vector<std::size_t>> buckets_;  // parameter indices
};

/// The stop request all ranks agree on, from one small all-reduce (for loops without gradients).
int agree_on_stop(Group& group, int stop);

}  // namespace razor::host
