#pragma once
/// Pruner: a channel-importance criterion. A pruning algorithm (algorithm/iterative_prune) asks it to
/// score the channels of each channel unit and keeps the highest-scoring ones.
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/component.h"

namespace razor {

class RAZOR_API Pruner : public Component {
 public:
  static constexpr const char* kKind = "pruner";
  ~Pruner() override;
  /// One score per channel, shape [channels], higher = more important, from the unit's filters as
  /// ChannelSlicer::filters() gives them: one [channels, features] tensor per layer producing the
  /// unit's channels (row c is channel c's filter over that layer's active inputs).
  virtual at::Tensor importance(const std::vector<at::Tensor>& filters) = 0;
};

}  // namespace razor
