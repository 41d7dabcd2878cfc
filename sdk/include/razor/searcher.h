#pragma once
/// Searcher: proposes subnets, is told their scores and costs, and keeps the best that meet constraints.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "razor/component.h"
#include "razor/mutator.h"

namespace razor {

struct Candidate {
  Subnet subnet;
  double score = 0.0;                  // higher is better (e.g. validation top-1)
  std::map<std::string, double> costs;  // e.g. flops, params
};

class RAZOR_API Searcher : public Component {
 public:
  static constexpr const char* kKind = "searcher";
  ~Searcher() override;
  /// The next subnets to evaluate; empty when the search is finished.
  virtual std::vector<Subnet> propose(Mutator& mutator) = 0;
  /// Results for the subnets of the last propose().
  virtual void report(const std::vector<Candidate>& evaluated) = 0;
  virtual std::optional<Candidate> best() const = 0;
};

}  // namespace razor
