#pragma once
// searcher/evolution: evolutionary search over a one-shot supernet's subnets (SPOS). Each round scores
// a pool of candidates that meet the constraints: random ones at first, later mutations and
// crossovers of the best `top_k` so far, topped up with random ones. The top-k carries over, so the
// best score never decreases. A pool holds no duplicates and no subnet of the top-k (their scores are
// known). Every random draw happens in propose(), none in report(): a searcher restored from
// save_state proposes exactly what the uninterrupted one would.
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "razor/context.h"
#include "razor/searcher.h"

namespace razor::nas {

struct EvolutionOptions : Options<EvolutionOptions> {
  RAZOR_OPTION(std::int64_t, generations, "rounds of scoring", 20).at_least(1);
  RAZOR_OPTION(std::int64_t, num_candidates, "candidates scored per round", 50).at_least(1);
  RAZOR_OPTION(std::int64_t, top_k, "best candidates kept across rounds, the parents of the next", 10);
  RAZOR_OPTION(std::int64_t, num_mutation, "mutated parents per round", 25).non_negative();
  RAZOR_OPTION(std::int64_t, num_crossover, "crossed-over parent pairs per round", 25).non_negative();
  RAZOR_OPTION(double, mutate_prob, "per group: chance a mutation draws a fresh choice", 0.1).in_range(0.0, 1.0);
  RAZOR_OPTION(double, crossover_prob, "per group: chance a crossover takes the second parent's choice", 0.5)
      .in_range(0.0, 1.0);
  RAZOR_OPTION(std::int64_t, max_tries, "attempts per kind of candidate to find ones within the constraints", 1000)
      .at_least(1);
  RAZOR_OPTION(Table, constraints,
               "cost name = upper bound, or [low, high], e.g. { flops = 2e6 }; checked on the sliced subnet", "{}");
  void validate(const ConfigView& cfg) const;
};

/// Cost name -> [low, high].
using Constraints = std::map<std::string, std::pair<double, double>>;

/// Each group of `parent` replaced by a fresh sample with probability `prob`.
Subnet mutate(const Subnet& parent, const std::vector<SearchGroup>& groups, double prob, std::mt19937_64& rng);
/// Each group taken from `second` with probability `prob`, else from `first`.
Subnet crossover(const Subnet& first, const Subnet& second, double prob, std::mt19937_64& rng);

class EvolutionSearcher final : public Searcher {
 public:
  using Options = EvolutionOptions;
  EvolutionSearcher(const BuildContext& ctx, const Options& options);
  std::vector<Subnet> propose(SearchContext& context) override;
  void report(const std::vector<Candidate>& scored) override;
  std::optional<Candidate> best() const override;
  std::int64_t rounds_done() const override { return rounds_; }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  const EvolutionOptions& options() const { return o_; }
  const Constraints& constraints() const { return constraints_; }
  const std::vector<Candidate>& top_k() const { return top_; }

 private:
  /// What one propose() drew, to tell impossible constraints from an exhausted space.
  struct Tally {
    std::int64_t tries = 0, outside = 0;  // subnets drawn; of those, outside the constraints
  };
  bool within(SearchContext& context, const Subnet& subnet) const;
  /// In this pool already, or scored before (in the top-k).
  bool known(const std::vector<Subnet>& pool, const Subnet& subnet) const;
  /// Up to `count` new subnets from `make` (at most max_tries draws), each within the constraints
  /// and not known yet.
  void add(std::vector<Subnet>& pool, std::int64_t count, SearchContext& context,
           const std::function<Subnet()>& make, Tally& tally);

  EvolutionOptions o_;
  Constraints constraints_;
  std::mt19937_64 rng_;
  std::int64_t rounds_ = 0;
  std::vector<Candidate> top_;  // best first
};

}  // namespace razor::nas
