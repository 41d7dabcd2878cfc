#include "greedy_slim.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor::pruning {

GreedySlimSearcher::GreedySlimSearcher(const BuildContext&, const Options& options)
    : cost_(options.cost), targets_(options.targets) {
  std::sort(targets_.begin(), targets_.end(), std::greater<>());
}

std::vector<Subnet> GreedySlimSearcher::propose(SearchContext& context) {
  if (!current_) return {sample_subnet(context.groups(), SampleKind::max, *std::make_unique<std::mt19937_64>())};
  const auto cost_of = [&](const Candidate& c) {
    const auto it = c.costs.find(cost_);
    if (it == c.costs.end()) throw Error(fmt::format("searcher/greedy_slim: the run's estimator gives no '{}'", cost_));
    return it->second;
  };
  while (results_.size() < targets_.size() && cost_of(*current_) <= targets_[results_.size()]) {
    results_.push_back(*current_);
  }
  if (results_.size() == targets_.size()) return {};
  std::vector<Subnet> narrower;  // each unit one ratio step down
  for (const auto& g : context.groups()) {
    const auto at = std::find(g.choices.begin(), g.choices.end(), current_->subnet.at(g.key));
    if (at == g.choices.begin() || at == g.choices.end()) continue;
    Subnet s = current_->subnet;
    s[g.key] = *(at - 1);
    narrower.push_back(std::move(s));
  }
  if (narrower.empty()) {
    throw Error(fmt::format("searcher/greedy_slim: the smallest subnet costs {} {:g}, above the target {:g}", cost_,
                            cost_of(*current_), targets_[results_.size()]));
  }
  return narrower;
}

void GreedySlimSearcher::report(const std::vector<Candidate>& scored) {
  if (scored.empty()) return;
  // The best score; among equals the cheaper one (adjacent ratios can round to the same width).
  const auto better = [&](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.costs.count(cost_) && b.costs.count(cost_) && a.costs.at(cost_) < b.costs.at(cost_);
  };
  const Candidate* pick = &scored.front();
  for (const auto& c : scored) {
    if (better(c, *pick)) pick = &c;
  }
  current_ = *pick;
  ++rounds_;
}

std::optional<Candidate> GreedySlimSearcher::best() const {
  if (results_.empty()) return current_ && targets_.empty() ? current_ : std::nullopt;
  return results_.front();
}

std::vector<std::pair<std::string, Candidate>> GreedySlimSearcher::results() const {
  std::vector<std::pair<std::string, Candidate>> out;
  for (std::size_t i = 0; i < results_.size(); ++i) {
    // Whole targets (MACs) in full, fractional ones (milliseconds) as written: flops_4750000, latency_ms_1.6.
    const double t = targets_[i];
    out.emplace_back(fmt::format(t == std::floor(t) ? "{}_{:.0f}" : "{}_{:g}", cost_, t), results_[i]);
  }
  return out;
}

void GreedySlimSearcher::save_state(torch::serialize::OutputArchive& archive) const {
  write_candidates(archive, "greedy_current", current_ ? std::vector<Candidate>{*current_} : std::vector<Candidate>{});
  write_candidates(archive, "greedy_results", results_);
  write_text(archive, "greedy_rounds", std::to_string(rounds_));
}

void GreedySlimSearcher::load_state(torch::serialize::InputArchive& archive) {
  const auto current = read_candidates(archive, "greedy_current");
  current_ = current.empty() ? std::nullopt : std::optional<Candidate>(current.front());
  results_ = read_candidates(archive, "greedy_results");
  rounds_ = std::stoll(read_text(archive, "greedy_rounds"));
}

}  // namespace razor::pruning
