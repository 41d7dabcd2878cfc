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

namespace razor::evolution {

struct EvolutionOptions {
  std::int64_t generations = 20, num_candidates = 50, top_k = 10, num_mutation = 25, num_crossover = 25;
  double mutate_prob = 0.1, crossover_prob = 0.5;
  std::int64_t max_tries = 1000;
  std::map<std::string, std::pair<double, double>> constraints;  // cost name -> [lo, hi]
};

/// Each group of `parent` replaced by a fresh sample with probability `prob`.
Subnet mutate(const Subnet& parent, const std::vector<SearchGroup>& groups, double prob, std::mt19937_64& rng);
/// Each group taken from `second` with probability `prob`, else from `first`.
Subnet crossover(const Subnet& first, const Subnet& second, double prob, std::mt19937_64& rng);

class EvolutionSearcher final : public Searcher {
 public:
  explicit EvolutionSearcher(const BuildContext& ctx);
  std::vector<Subnet> propose(SearchContext& context) override;
  void report(const std::vector<Candidate>& scored) override;
  std::optional<Candidate> best() const override;
  std::int64_t rounds_done() const override { return rounds_; }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

  const EvolutionOptions& options() const { return o_; }
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
  std::mt19937_64 rng_;
  std::int64_t rounds_ = 0;
  std::vector<Candidate> top_;  // best first
};

}  // namespace razor::evolution
