#pragma once
/// Searcher: proposes subnets, is told their scores and costs, and keeps the best that meet its
/// constraints. The run scores what it proposes (validation accuracy after BN recalibration) and
/// checkpoints its state after every report, so an interrupted search resumes to the same result.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "razor/component.h"
#include "razor/estimator.h"
#include "razor/search_space.h"

namespace razor {

struct Candidate {
  Subnet subnet;
  double score = 0.0;  // higher is better (validation top-1)
  Costs costs;          // flops, params of the sliced subnet
};

/// What the run offers a searcher while it proposes.
class RAZOR_API SearchContext {
 public:
  virtual ~SearchContext();
  virtual const std::vector<SearchGroup>& groups() const = 0;
  /// Costs of `subnet` as a sliced static model (cached by the run). Throws razor::Error if the run
  /// has no estimator.
  virtual Costs costs(const Subnet& subnet) = 0;
};

class RAZOR_API Searcher : public Component {
 public:
  static constexpr const char* kKind = "searcher";
  ~Searcher() override;
  /// The next subnets to score; empty when the search is finished.
  virtual std::vector<Subnet> propose(SearchContext& context) = 0;
  /// Scores and costs of the subnets of the last propose(), in the same order.
  virtual void report(const std::vector<Candidate>& scored) = 0;
  virtual std::optional<Candidate> best() const = 0;
  /// Further named results the run writes as search/subnets/<name>.toml (a searcher with several
  /// targets gives one per target). Default: none.
  virtual std::vector<std::pair<std::string, Candidate>> results() const;
  /// Rounds (generations) completed, for logs and checkpoints.
  virtual std::int64_t rounds_done() const = 0;
};

}  // namespace razor
