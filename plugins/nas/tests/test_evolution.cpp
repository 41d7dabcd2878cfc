// searcher/evolution against a synthetic space: constraints always met, pool sizes, top-k monotone,
// mutation/crossover semantics, exact resume from saved state, clear errors.
#include "razor_doctest.hpp"

#include <set>
#include <sstream>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "evolution_searcher.h"
#include "loader/host_context.h"
#include "razor/errors.h"
#include "razor/plugin.h"
#include "base/logging.h"
#include "test_support.hpp"

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

using namespace razor;
using nas::EvolutionSearcher;

namespace {

// Eight groups of choices "0".."3": flops = sum of choice indices, score = a fixed pseudo-random
// function of the subnet (so "better" is not simply "dearer").
struct Space final : SearchContext {
  std::vector<SearchGroup> g;
  std::int64_t cost_calls = 0;
  Space() {
    for (int i = 0; i < 8; ++i) g.push_back({"g" + std::to_string(i), {"0", "1", "2", "3"}, {}});
  }
  const std::vector<SearchGroup>& groups() const override { return g; }
  Costs costs(const Subnet& s) override {
    ++cost_calls;
    double flops = 0;
    for (const auto& [k, v] : s) flops += std::stod(v);
    return {{"flops", flops}, {"params", 2 * flops}};
  }
  static double score(const Subnet& s) {
    double v = 0;
    int i = 1;
    for (const auto& [k, c] : s) v += ((std::stoi(c) * 7 + i++ * 3) % 5) * i;
    return v;
  }
};

std::shared_ptr<EvolutionSearcher> searcher(const std::string& toml, std::uint64_t seed = 0) {
  static test::TempDir dir("evolution");
  static host::Registry registry;
  static host::RunSettings settings{c10::Device(c10::kCPU), 0, host::make_logger()};
  settings.seed = seed;
  auto doc = host::load_config(dir.write("s.toml", "[searcher]\ntype = 'evolution'\n" + toml), {});
  auto table = std::dynamic_pointer_cast<const host::TomlConfigView>(host::TomlConfigView(doc).table("searcher"));
  const auto& info = *find_component(*RAZOR_PLUGIN_ENTRY(), "searcher", "evolution");
  host::HostContext ctx(registry, table->bind(&info.options, "searcher/evolution"), settings);
  return std::dynamic_pointer_cast<EvolutionSearcher>(info.create(ctx));
}

const std::string kSmall =
    "generations = 6\nnum_candidates = 12\ntop_k = 4\nnum_mutation = 4\nnum_crossover = 4\n"
    "mutate_prob = 0.3\n[searcher.constraints]\nflops = [6, 14]\n";

std::vector<Candidate> score_all(Space& space, const std::vector<Subnet>& pool) {
  std::vector<Candidate> scored;
  for (const auto& s : pool) scored.push_back({s, Space::score(s), space.costs(s)});
  return scored;
}

}  // namespace

TEST_CASE("every proposed candidate meets the constraints; pools never exceed num_candidates") {
  Space space;
  auto s = searcher(kSmall);
  double best = -1;
  std::int64_t rounds = 0;
  for (auto pool = s->propose(space); !pool.empty(); pool = s->propose(space)) {
    CHECK(pool.size() <= 12);
    CHECK(pool.size() >= 8);
    for (const auto& subnet : pool) {
      const double flops = space.costs(subnet).at("flops");
      CHECK(flops >= 6);
      CHECK(flops <= 14);
      CHECK(subnet.size() == 8);
    }
    s->report(score_all(space, pool));
    CHECK(s->top_k().size() <= 4);
    CHECK(s->best()->score >= best);  // top-k carries over
    best = s->best()->score;
    ++rounds;
  }
  CHECK(rounds == 6);
  CHECK(s->rounds_done() == 6);
  CHECK(s->propose(space).empty());
}

TEST_CASE("mutation and crossover: per-group replacement and per-group pick") {
  Space space;
  std::mt19937_64 rng(1);
  const Subnet a = sample_subnet(space.g, SampleKind::min, rng), b = sample_subnet(space.g, SampleKind::max, rng);
  CHECK(nas::mutate(a, space.g, 0.0, rng) == a);
  CHECK(nas::crossover(a, b, 0.0, rng) == a);
  CHECK(nas::crossover(a, b, 1.0, rng) == b);
  int from_b = 0;
  for (int i = 0; i < 1000; ++i) {
    const Subnet c = nas::crossover(a, b, 0.5, rng);
    for (const auto& [k, v] : c) from_b += v == "3";
  }
  CHECK(std::abs(from_b / 8000.0 - 0.5) < 0.03);
  int changed = 0;
  for (int i = 0; i < 1000; ++i) {
    const Subnet m = nas::mutate(a, space.g, 0.2, rng);
    for (const auto& [k, v] : m) changed += v != "0";
  }
  // A replaced group draws a fresh choice, which is "0" again a quarter of the time.
  CHECK(std::abs(changed / 8000.0 - 0.2 * 0.75) < 0.02);
}

TEST_CASE("a searcher restored from saved state continues exactly like the uninterrupted one") {
  Space space;
  auto full = searcher(kSmall, 5);
  std::vector<std::vector<Subnet>> expected;
  for (auto pool = full->propose(space); !pool.empty(); pool = full->propose(space)) {
    expected.push_back(pool);
    full->report(score_all(space, pool));
  }

  auto first = searcher(kSmall, 5);
  for (int round = 0; round < 2; ++round) first->report(score_all(space, first->propose(space)));
  torch::serialize::OutputArchive out;
  first->save_state(out);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  auto resumed = searcher(kSmall, 123);  // the seed is part of the saved state
  resumed->load_state(in);
  CHECK(resumed->rounds_done() == 2);
  std::size_t round = 2;
  for (auto pool = resumed->propose(space); !pool.empty(); pool = resumed->propose(space), ++round) {
    REQUIRE(round < expected.size());
    CHECK(pool == expected[round]);
    resumed->report(score_all(space, pool));
  }
  CHECK(round == expected.size());
  CHECK(resumed->best()->subnet == full->best()->subnet);
  CHECK(resumed->best()->score == full->best()->score);
}

TEST_CASE("impossible constraints and bad options are clear errors") {
  Space space;
  auto impossible = searcher("max_tries = 50\n[searcher.constraints]\nflops = 100.0\nparams = [0, 1]\n");
  CHECK(test::error_of([&] { impossible->propose(space); }) ==
        "searcher/evolution: no subnet within the constraints (flops in [0, 100], params in [0, 1]) in 50 tries; "
        "loosen [constraints] or raise max_tries");
  auto unknown = searcher("[searcher.constraints]\nlatency = 3.0\n");
  CHECK(test::error_of([&] { unknown->propose(space); }) ==
        "searcher/evolution: constraint on 'latency', but the estimator reports only: flops, params");
  CHECK_THROWS_AS(searcher("top_k = 100\n"), ConfigError);
  CHECK_THROWS_AS(searcher("num_mutation = 30\nnum_crossover = 30\n"), ConfigError);
  CHECK_THROWS_AS(searcher("mutate_prob = 1.5\n"), ConfigError);
  CHECK_THROWS_AS(searcher("generations = 0\n"), ConfigError);
  CHECK_THROWS_AS(searcher("[searcher.constraints]\nflops = [3, 1]\n"), ConfigError);
  CHECK_THROWS_AS(searcher("[searcher.constraints]\nflops = 'big'\n"), ConfigError);
  CHECK_THROWS_AS(searcher("crossover_prob = -0.1\n"), ConfigError);
  CHECK_THROWS_AS(searcher("max_tries = 0\n"), ConfigError);
  const auto where = [](const std::string& toml) { return test::error_of([&] { searcher(toml); }); };
  CHECK(where("top_k = 100\n").find("s.toml:3:9: searcher.top_k: must be between 1 and num_candidates") !=
        std::string::npos);
  CHECK(where("[searcher.constraints]\nflops = 'big'\n")
            .find("s.toml:4:9: searcher.constraints.flops: expected a number (upper bound) or [low, high]") !=
        std::string::npos);
  CHECK(where("[searcher.constraints]\nflops = [1, 2, 3]\n").find("expected a number (upper bound) or [low, high]") !=
        std::string::npos);
  CHECK(where("[searcher.constraints]\nflops = -1\n").find("flops: an upper bound must not be negative") !=
        std::string::npos);
}

TEST_CASE("a pool never repeats a subnet nor re-proposes one of the top-k") {
  Space space;
  auto s = searcher(kSmall, 9);
  for (auto pool = s->propose(space); !pool.empty(); pool = s->propose(space)) {
    const std::set<Subnet> distinct(pool.begin(), pool.end());
    CHECK(distinct.size() == pool.size());
    for (const auto& top : s->top_k()) CHECK(distinct.count(top.subnet) == 0);
    s->report(score_all(space, pool));
  }
}

TEST_CASE("a space smaller than the top-k is scored once, then the search ends") {
  Space tiny;
  tiny.g.resize(2);  // 16 subnets
  auto s = searcher("generations = 5\nnum_candidates = 20\ntop_k = 20\nnum_mutation = 5\nnum_crossover = 5\n");
  const auto first = s->propose(tiny);
  CHECK(first.size() == 16);  // every subnet, each once
  s->report(score_all(tiny, first));
  CHECK(s->propose(tiny).empty());  // nothing unscored is left
  CHECK(s->rounds_done() == 1);
  CHECK(s->top_k().size() == 16);
}

TEST_CASE("the first generation is random within the constraints; options read their TOML defaults") {
  Space space;
  auto defaults = searcher("");
  const auto& o = defaults->options();
  CHECK(o.generations == 20);
  CHECK(o.num_candidates == 50);
  CHECK(o.top_k == 10);
  CHECK(o.num_mutation == 25);
  CHECK(o.num_crossover == 25);
  CHECK(o.mutate_prob == 0.1);
  CHECK(o.crossover_prob == 0.5);
  CHECK(o.max_tries == 1000);
  CHECK(defaults->constraints().empty());
  CHECK(defaults->propose(space).size() == 50);
  CHECK_FALSE(defaults->best());

  auto bounded = searcher("[searcher.constraints]\nflops = 4\nparams = [2, 8]\n");
  CHECK(bounded->constraints().at("flops") == std::pair<double, double>{0.0, 4.0});
  CHECK(bounded->constraints().at("params") == std::pair<double, double>{2.0, 8.0});
  for (const auto& subnet : bounded->propose(space)) {
    const auto costs = space.costs(subnet);
    CHECK(costs.at("flops") <= 4);
    CHECK(costs.at("params") >= 2);
    CHECK(costs.at("params") <= 8);
  }
}
