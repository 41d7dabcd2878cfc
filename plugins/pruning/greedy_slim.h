#pragma once
// searcher/greedy_slim: AutoSlim's greedy search. From the largest subnet, each round proposes every
// subnet one unit one ratio step narrower and keeps the best-scoring one, until the cost falls to the
// next target; targets are taken from the largest down, and each gets the subnet that first met it.
#include <optional>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/options.h"
#include "razor/searcher.h"

namespace razor::pruning {

struct GreedySlimOptions : Options<GreedySlimOptions> {
  RAZOR_OPTION(std::vector<double>, targets, "cost targets, e.g. [2.0e6, 1.2e6] MACs; one subnet each", required)
      .not_empty("needs at least one target")
      .positive();
  RAZOR_OPTION(std::string, cost, "the estimator's cost the targets bound", "flops");
};

class GreedySlimSearcher final : public Searcher {
 public:
  using Options = GreedySlimOptions;
  GreedySlimSearcher(const BuildContext& ctx, const Options& options);
  std::vector<Subnet> propose(SearchContext& context) override;
  void report(const std::vector<Candidate>& scored) override;
  /// The subnet of the first (largest) target.
  std::optional<Candidate> best() const override;
  /// One per target reached: "<cost>_<target>", e.g. flops_4750000, latency_ms_1.6.
  std::vector<std::pair<std::string, Candidate>> results() const override;
  std::int64_t rounds_done() const override { return rounds_; }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  std::string cost_;
  std::vector<double> targets_;  // descending
  std::optional<Candidate> current_;
  std::vector<Candidate> results_;  // results_[i] met targets_[i]
  std::int64_t rounds_ = 0;
};

}  // namespace razor::pruning
