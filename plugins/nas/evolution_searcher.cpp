#include "evolution_searcher.h"

#include <algorithm>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor::nas {
namespace {

constexpr const char* kRangeHelp = "expected a number (upper bound) or [low, high]";  // tests/configs/bad expects it

// One [constraints] entry: `flops = 2e6` (an upper bound from 0) or `flops = [1e6, 2e6]`.
std::pair<double, double> read_range(const ConfigView& table, const std::string& name) {
  // ConfigView has no type query: try the number form, then the list form.
  std::optional<double> bound;
  try {
    bound = table.get_double(name);
  } catch (const ConfigError&) {
  }
  if (bound) {
    if (*bound < 0) table.fail(name, "an upper bound must not be negative");
    return {0.0, *bound};
  }
  std::vector<double> pair;
  try {
    pair = table.get_double_list(name);
  } catch (const ConfigError&) {
    table.fail(name, kRangeHelp);
  }
  if (pair.size() != 2) table.fail(name, kRangeHelp);
  if (!(pair[0] <= pair[1])) table.fail(name, "the low bound is above the high bound");
  return {pair[0], pair[1]};
}

Constraints read_constraints(const ConfigView& table) {
  Constraints out;
  for (const auto& name : table.keys()) out[name] = read_range(table, name);
  return out;
}

}  // namespace

Subnet mutate(const Subnet& parent, const std::vector<SearchGroup>& groups, double prob, std::mt19937_64& rng) {
  Subnet child = parent;
  std::bernoulli_distribution flip(prob);
  for (const auto& g : groups)
    if (flip(rng)) child[g.key] = sample_choice(g, rng);
  return child;
}

Subnet crossover(const Subnet& first, const Subnet& second, double prob, std::mt19937_64& rng) {
  Subnet child = first;
  std::bernoulli_distribution take(prob);
  for (auto& [key, choice] : child)
    if (take(rng)) choice = second.at(key);
  return child;
}

void EvolutionOptions::validate(const ConfigView& c) const {
  if (top_k < 1 || top_k > num_candidates) c.fail("top_k", "must be between 1 and num_candidates");
  if (num_mutation + num_crossover > num_candidates)
    c.fail("num_crossover", "num_mutation + num_crossover must not exceed num_candidates");
}

EvolutionSearcher::EvolutionSearcher(const BuildContext& ctx, const Options& options)
    : o_(options), constraints_(read_constraints(*options.constraints)), rng_(ctx.seed() ^ 0x65766f6c7665ULL) {}

bool EvolutionSearcher::within(SearchContext& context, const Subnet& subnet) const {
  if (constraints_.empty()) return true;
  const Costs costs = context.costs(subnet);
  for (const auto& [name, range] : constraints_) {
    const auto it = costs.find(name);
    if (it == costs.end()) {
      std::string known;
      for (const auto& [k, _] : costs) known += (known.empty() ? "" : ", ") + k;
      throw Error(fmt::format("searcher/evolution: constraint on '{}', but the estimator reports only: {}", name,
                              known));
    }
    if (it->second < range.first || it->second > range.second) return false;
  }
  return true;
}

bool EvolutionSearcher::known(const std::vector<Subnet>& pool, const Subnet& subnet) const {
  return std::find(pool.begin(), pool.end(), subnet) != pool.end() ||
         std::any_of(top_.begin(), top_.end(), [&](const Candidate& c) { return c.subnet == subnet; });
}

void EvolutionSearcher::add(std::vector<Subnet>& pool, std::int64_t count, SearchContext& context,
                            const std::function<Subnet()>& make, Tally& tally) {
  std::int64_t added = 0;
  for (std::int64_t tries = 0; added < count && tries < o_.max_tries; ++tries) {
    Subnet s = make();
    ++tally.tries;
    // Known subnets were within the constraints when first proposed, and scoring them again would
    // only repeat a known score: skip them before asking for costs.
    if (known(pool, s)) continue;
    if (!within(context, s)) {
      ++tally.outside;
      continue;
    }
    pool.push_back(std::move(s));
    ++added;
  }
}

std::vector<Subnet> EvolutionSearcher::propose(SearchContext& context) {
  if (rounds_ >= o_.generations) return {};
  const auto& groups = context.groups();
  std::vector<Subnet> pool;
  Tally tally;
  if (!top_.empty()) {
    std::uniform_int_distribution<std::size_t> parent(0, top_.size() - 1);
    add(
        pool, o_.num_mutation, context,
        [&] { return mutate(top_[parent(rng_)].subnet, groups, o_.mutate_prob, rng_); }, tally);
    add(
        pool, o_.num_crossover, context,
        [&] {
          const Subnet& a = top_[parent(rng_)].subnet;
          const Subnet& b = top_[parent(rng_)].subnet;
          return crossover(a, b, o_.crossover_prob, rng_);
        },
        tally);
  }
  add(
      pool, o_.num_candidates - static_cast<std::int64_t>(pool.size()), context,
      [&] { return sample_subnet(groups, SampleKind::random, rng_); }, tally);
  if (pool.empty() && tally.outside == tally.tries) {
    std::string limits;
    for (const auto& [name, r] : constraints_)
      limits += fmt::format("{}{} in [{:g}, {:g}]", limits.empty() ? "" : ", ", name, r.first, r.second);
    throw Error(fmt::format("searcher/evolution: no subnet within the constraints ({}) in {} tries; loosen "
                            "[constraints] or raise max_tries",
                            limits, tally.tries));
  }
  // Empty otherwise only when every subnet drawn was already scored: the space within the
  // constraints is exhausted, and an empty proposal ends the search.
  return pool;
}

void EvolutionSearcher::report(const std::vector<Candidate>& scored) {
  for (const auto& c : scored) {
    const bool known = std::any_of(top_.begin(), top_.end(), [&](const Candidate& t) { return t.subnet == c.subnet; });
    if (!known) top_.push_back(c);
  }
  // Best first; equal scores keep their order (earlier first), so the result is deterministic.
  std::stable_sort(top_.begin(), top_.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  if (static_cast<std::int64_t>(top_.size()) > o_.top_k) top_.resize(static_cast<std::size_t>(o_.top_k));
  ++rounds_;
}

std::optional<Candidate> EvolutionSearcher::best() const {
  if (top_.empty()) return std::nullopt;
  return top_.front();
}

void EvolutionSearcher::save_state(torch::serialize::OutputArchive& archive) const {
  write_rng(archive, "rng", rng_);
  write_text(archive, "rounds", std::to_string(rounds_));
  write_candidates(archive, "top_k", top_);
}

void EvolutionSearcher::load_state(torch::serialize::InputArchive& archive) {
  read_rng(archive, "rng", rng_);
  rounds_ = std::stoll(read_text(archive, "rounds"));
  top_ = read_candidates(archive, "top_k");
}

}  // namespace razor::nas
