#pragma once
// Channel-importance criteria (razor/pruner.h) on a unit's filters, one [channels, features] tensor
// per producing layer:
//   pruner/l1   — the mean absolute weight of a channel's filters, averaged over the layers
//                 (Li et al., "Pruning Filters for Efficient ConvNets");
//   pruner/fpgm — the summed Euclidean distance of a channel's filter (its rows in all layers, joined)
//                 to every other channel's: the channels nearest the geometric median are the most
//                 replaceable (He et al., "Filter Pruning via Geometric Median").
#include <vector>

#include "razor/context.h"
#include "razor/pruner.h"

namespace razor::pruning {

class L1Pruner final : public Pruner {
 public:
  L1Pruner() = default;
  explicit L1Pruner(const BuildContext&) {}
  at::Tensor importance(const std::vector<at::Tensor>& filters) override;
};

class FpgmPruner final : public Pruner {
 public:
  FpgmPruner() = default;
  explicit FpgmPruner(const BuildContext&) {}
  at::Tensor importance(const std::vector<at::Tensor>& filters) override;
};

}  // namespace razor::pruning
