#pragma once
// algorithm/iterative_prune: prunes a model (usually a trained one, `load_from`) while fine-tuning it.
// At training steps 0, f, 2f, ... (f = step_freq), `prune_times` times, every prunable channel unit is
// narrowed on a linear schedule towards its keep ratio, keeping the channels the pruner scores highest
// among those still active; between those steps the model trains as it is. The result is one subnet
// (the final widths), which the export stage slims without a search.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "channel_mutator.h"
#include "pruned_widths.h"
#include "razor/algorithm.h"
#include "razor/context.h"
#include "razor/loss.h"
#include "razor/options.h"
#include "razor/pruner.h"

namespace razor::pruning {

/// The ratio of its channels a unit keeps after training step `step` (0-based) when that step
/// prunes, else nothing: the t-th pruning step (t = 1..prune_times, at step (t-1)·step_freq) sets
/// 1 + (keep_ratio - 1)·t / prune_times, so the last one reaches keep_ratio.
std::optional<double> scheduled_ratio(std::int64_t step, std::int64_t step_freq, std::int64_t prune_times,
                                      double keep_ratio);

struct IterativePruneOptions : Options<IterativePruneOptions> {
  RAZOR_OPTION(Nested<Model>, architecture, "the network to prune (load trained weights with `load_from`)", required);
  RAZOR_OPTION(Nested<Mutator>, mutator, "its channel units: { type = 'channel', input_shape = [C, H, W] }", required);
  RAZOR_OPTION(Nested<Pruner>, pruner, "the channel-importance criterion (l1, fpgm)", "{ type = 'l1' }");
  RAZOR_OPTION(Nested<Loss>, loss, "the training loss", "{ type = 'cross_entropy' }");
  RAZOR_OPTION(double, keep_ratio,
               "fraction of its channels each unit keeps in the end (rounded as the mutator's divisor and "
               "min_channels say)",
               0.5);
  RAZOR_OPTION(Table, keep_ratios, "per unit name: its own keep ratio", "{}");
  RAZOR_OPTION(std::int64_t, step_freq, "training steps between pruning steps", 1).at_least(1);
  RAZOR_OPTION(std::int64_t, prune_times, "pruning steps; the first at step 0", 1).at_least(1);
  void validate(const ConfigView& cfg) const;
};

class IterativePrune final : public Algorithm {
 public:
  using Options = IterativePruneOptions;
  IterativePrune(const BuildContext& ctx, const Options& options);
  Losses train_step(const Batch& batch) override;
  at::Tensor predict(const at::Tensor& inputs) override;
  Model& model() override { return *architecture_; }
  Mutator* mutator() override { return widths_.get(); }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  /// Narrows every prunable unit to `ratio(unit)` of its channels (never wider than it is now),
  /// keeping its most important active channels.
  void prune(const std::map<std::string, double>& ratios);
  /// The keep ratio of a unit at the end of the schedule.
  double keep_ratio(const std::string& unit) const;
  ChannelSlicer& slicer() { return channels_->slicer(); }

 private:
  std::shared_ptr<Model> architecture_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<ChannelMutator> channels_;  // the units (trace, overrides, rounding) and their slicer
  std::shared_ptr<Pruner> pruner_;
  double keep_ratio_;
  std::map<std::string, double> unit_keep_ratios_;
  std::int64_t step_freq_, prune_times_, step_ = 0;
  std::unique_ptr<PrunedWidths> widths_;
};

}  // namespace razor::pruning
