#pragma once
// mutator/channel: the search space of channel pruning. It finds the model's channel units by tracing
// one forward pass (razor/channel_units.h), makes one search group per prunable unit whose choices
// are width ratios, and applies subnets by slicing the layers (razor/channel_slicer.h); fix() slims
// the model physically. Unit names ("<module>_(<start>, <end>)_<channels>") are the subnet keys.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "razor/channel_slicer.h"
#include "razor/context.h"
#include "razor/mutator.h"

namespace razor::pruning {

/// Refuses `name` (a key of `table`) unless it is one of `names`: "no <what> '<name>'; did you mean
/// '<closest>'? (`razor-host units CONFIG` lists them)".
void check_unit_name(const ConfigView& table, const std::string& name, const std::vector<std::string>& names,
                     const std::string& what);

class ChannelMutator final : public Mutator {
 public:
  explicit ChannelMutator(const BuildContext& ctx);
  void prepare(Model& model) override;
  const std::vector<SearchGroup>& groups() const override { return groups_; }
  Subnet sample(SampleKind kind) override;
  void set(const Subnet& subnet) override;
  Subnet current() const override { return current_; }
  void fix(const Subnet& subnet) override;
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  /// Channels a unit keeps at a ratio: max(1, int(C * ratio)), made divisible by `divisor`, at most C.
  std::int64_t channels_at(const ChannelUnit& unit, double ratio) const;
  /// The model's analysis as prepare() found it (all units, prunable or not, and the barriers).
  const ChannelAnalysis& analysis() const { return analysis_; }
  ChannelSlicer& slicer();

 private:
  void check(const Subnet& subnet) const;

  std::vector<std::int64_t> input_shape_;
  std::vector<double> ratios_;
  std::int64_t divisor_, min_value_;
  std::shared_ptr<const ConfigView> overrides_;
  std::mt19937_64 rng_;
  ChannelAnalysis analysis_;
  std::unique_ptr<ChannelSlicer> slicer_;
  std::vector<SearchGroup> groups_;
  Subnet current_;
  bool fixed_ = false;
};

}  // namespace razor::pruning
