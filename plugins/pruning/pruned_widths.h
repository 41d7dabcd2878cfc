#pragma once
// The mutator a pruning algorithm exposes: the widths its pruner chose, as a search space with one
// subnet. One group per prunable unit whose only choice is its active channel count ("24"), so the
// export stage needs no search: it takes that subnet and fix() slims the model to it.
#include <vector>

#include "razor/channel_slicer.h"
#include "razor/mutator.h"

namespace razor::pruning {

class PrunedWidths final : public Mutator {
 public:
  explicit PrunedWidths(ChannelSlicer& slicer) : slicer_(slicer) { update(); }
  /// Re-reads the active channel counts from the slicer (after each pruning step).
  void update();

  void prepare(Model&) override {}
  const std::vector<SearchGroup>& groups() const override { return groups_; }
  Subnet sample(SampleKind) override { return current(); }
  /// Accepts only the current widths (a pruned model has one subnet); throws razor::Error otherwise.
  void set(const Subnet& subnet) override;
  Subnet current() const override;
  void fix(const Subnet& subnet) override;

 private:
  ChannelSlicer& slicer_;
  std::vector<SearchGroup> groups_;
};

}  // namespace razor::pruning
