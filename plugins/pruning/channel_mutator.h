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
#include "razor/options.h"

namespace razor::pruning {

/// Refuses `name` (a key of `table`) unless it is one of `names`: "no <what> '<name>'; did you mean
/// '<closest>'? (`razor-host units CONFIG` lists them)".
void check_unit_name(const ConfigView& table, const std::string& name, const std::vector<std::string>& names,
                     const std::string& what);

/// Width ratios in (0, 1], strictly ascending, at least one; else a config error at `key`.
void check_ratios(const ConfigView& config, const std::string& key, const std::vector<double>& ratios);

struct ChannelMutatorOptions : Options<ChannelMutatorOptions> {
  RAZOR_OPTION(std::vector<std::int64_t>, input_shape, "[C, H, W] of one input image, for the trace (e.g. [1, 28, 28])",
               required)
      .check([](const auto& s) { return s.size() == 3 && s[0] > 0 && s[1] > 0 && s[2] > 0; },
             "expected [C, H, W] of positive sizes, e.g. [1, 28, 28]");
  RAZOR_OPTION(std::vector<double>, ratios, "width ratios each unit may take, ascending",
               std::vector<double>{0.25, 0.5, 0.75, 1.0});
  RAZOR_OPTION(std::int64_t, divisor, "channel counts are made divisible by this (MobileNet rounding)", 1).at_least(1);
  RAZOR_OPTION(std::int64_t, min_channels, "no unit keeps fewer channels", 1).at_least(1);
  RAZOR_OPTION(Table, units, "per unit name: { prunable = false } pins it, { ratios = [...] } gives it its own choices",
               "{}");
  void validate(const ConfigView& cfg) const { check_ratios(cfg, "ratios", ratios); }
};

class ChannelMutator final : public Mutator {
 public:
  using Options = ChannelMutatorOptions;
  ChannelMutator(const BuildContext& ctx, const Options& options);
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

  Options o_;
  std::mt19937_64 rng_;
  ChannelAnalysis analysis_;
  std::unique_ptr<ChannelSlicer> slicer_;
  std::vector<SearchGroup> groups_;
  Subnet current_;
  bool fixed_ = false;
};

}  // namespace razor::pruning
