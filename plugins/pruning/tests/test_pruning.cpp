// Channel pruning through the host's registry with the real plugins: the channel mutator's search
// space, its overrides and checks, fix() slimming the model, and AutoSlim's sandwich step (max, min and
// random subnets, in-place distillation, gradients accumulated for one optimizer step).
#include "razor_doctest.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "autoslim.h"
#include "base/logging.h"
#include "build_from_config.hpp"
#include "config/config_loader.h"
#include "small_resnet.hpp"
#include "channel_mutator.h"
#include "razor/model_weights.h"
#include "razor/searcher.h"
#include "razor/subnet_file.h"

using namespace razor;

namespace {

std::string autoslim_config(const std::string& mutator_keys = "", const std::string& algorithm_keys = "") {
  return test::small_resnet_config("autoslim", algorithm_keys, mutator_keys);
}

Batch batch() { return test::small_batch(); }

std::map<std::string, at::Tensor> grads(torch::nn::Module& m) {
  std::map<std::string, at::Tensor> out;
  for (const auto& p : m.named_parameters()) {
    if (p.value().grad().defined()) out[p.key()] = p.value().grad().clone();
  }
  return out;
}

}  // namespace

TEST_CASE("mutator/channel: one group per prunable unit, ratios as choices, widths by ratio") {
  test::TempDir dir("pruning_groups");
  auto b = test::build_algorithm(dir, autoslim_config());
  auto& mutator = dynamic_cast<pruning::ChannelMutator&>(*b.algorithm->mutator());
  std::vector<std::string> keys;
  for (const auto& g : mutator.groups()) {
    keys.push_back(g.key);
    CHECK(g.choices == std::vector<std::string>{"0.25", "0.5", "0.75", "1"});
  }
  CHECK(keys == std::vector<std::string>{"stem.conv_(0, 8)_8", "stages.0.conv1.conv_(0, 8)_8",
                                         "stages.1.conv1.conv_(0, 16)_16", "stages.1.conv2.conv_(0, 16)_16",
                                         "stages.2.conv1.conv_(0, 32)_32", "stages.2.conv2.conv_(0, 32)_32"});
  mutator.sample(SampleKind::min);
  for (const auto& u : mutator.slicer().units()) CHECK(mutator.slicer().active().at(u.name) == std::max<std::int64_t>(1, u.channels / 4));
  at::NoGradGuard g;
  b.algorithm->eval();
  CHECK(b.algorithm->predict(batch().inputs).sizes() == at::IntArrayRef({6, 10}));

  CHECK(test::error_of([&] { mutator.set({{"stem.conv_(0, 8)_8", "0.3"}}); })
            .find("'0.3' is not one of its ratios (0.25, 0.5, 0.75, 1)") != std::string::npos);
  Subnet missing = mutator.current();
  missing.erase("stem.conv_(0, 8)_8");
  CHECK(test::error_of([&] { mutator.set(missing); }) ==
        "mutator/channel: the subnet has no choice for unit 'stem.conv_(0, 8)_8'");
}

TEST_CASE("mutator/channel: units pinned or given their own ratios by the config; unknown names refused") {
  test::TempDir dir("pruning_overrides");
  auto b = test::build_algorithm(dir, autoslim_config(R"(divisor = 4
[algorithm.mutator.units]
"stem.conv_(0, 8)_8" = { prunable = false }
"stages.2.conv2.conv_(0, 32)_32" = { ratios = [0.5, 1.0] }
)"));
  auto& mutator = dynamic_cast<pruning::ChannelMutator&>(*b.algorithm->mutator());
  CHECK(mutator.groups().size() == 5);
  CHECK(mutator.groups().front().key == "stages.0.conv1.conv_(0, 8)_8");
  CHECK(mutator.groups().back().choices == std::vector<std::string>{"0.5", "1"});
  // divisor 4: 25 % of 8 is 2, made divisible by 4 is 4.
  CHECK(mutator.channels_at(mutator.slicer().units().front(), 0.25) == 4);

  const std::string bad = test::error_of([&] {
    test::build_algorithm(dir, autoslim_config("[algorithm.mutator.units]\n\"stem.conv_(0, 8)_9\" = { prunable = false }\n"));
  });
  CHECK(bad.find("algorithm.mutator.units.stem.conv_(0, 8)_9: no channel unit 'stem.conv_(0, 8)_9'; did you mean "
                 "'stem.conv_(0, 8)_8'?") != std::string::npos);
  CHECK(test::error_of([&] { test::build_algorithm(dir, autoslim_config("ratios = [0.5, 0.25]\n")); })
            .find("ratios must be strictly ascending") != std::string::npos);
  CHECK(test::error_of([&] { test::build_algorithm(dir, autoslim_config("input_shape = [8, 8]\n").replace(
                                                         autoslim_config().find("input_shape = [1, 8, 8]\n"), 24, "")); })
            .find("expected [C, H, W]") != std::string::npos);
}

TEST_CASE("autoslim: the sandwich step accumulates max, min (and random) gradients; in-place distillation is detached") {
  test::TempDir dir("pruning_sandwich");
  auto b = test::build_algorithm(dir, autoslim_config("", "num_random = 0\n"));
  Algorithm& algo = *b.algorithm;
  Mutator& mutator = *algo.mutator();
  algo.train();
  const Batch data = batch();

  // By hand: max on the labels, then min on the labels plus KL from the max logits (detached).
  const Subnet max = sample_subnet(mutator.groups(), SampleKind::max, *std::make_unique<std::mt19937_64>());
  mutator.set(max);
  const at::Tensor max_logits = algo.model().forward(data.inputs);
  at::cross_entropy_loss(max_logits, data.targets).backward();
  mutator.sample(SampleKind::min);
  const at::Tensor min_logits = algo.model().forward(data.inputs);
  const at::Tensor p = at::softmax(max_logits.detach(), 1);
  const at::Tensor kl = (p * (at::log(p) - at::log_softmax(min_logits, 1))).sum() / data.inputs.size(0);
  (at::cross_entropy_loss(min_logits, data.targets) + kl).backward();
  const auto expected = grads(algo);
  for (auto& param : algo.parameters()) param.mutable_grad() = at::Tensor();

  const Losses losses = algo.train_step(data);
  CHECK(losses.size() == 3);
  CHECK(losses.at("min.loss_kd").item<double>() == doctest::Approx(kl.item<double>()).epsilon(1e-5));
  const auto actual = grads(algo);
  REQUIRE(actual.size() == expected.size());
  for (const auto& entry : expected) {  // not a structured binding: CAPTURE's lambda captures the name
    const std::string& name = entry.first;
    CAPTURE(name);
    CHECK(at::allclose(actual.at(name), entry.second, 1e-5, 1e-6));
  }
  CHECK(mutator.current() == max);  // between steps the model is the largest subnet

  auto with_random = test::build_algorithm(dir, autoslim_config("", "num_random = 2\n"));
  with_random.algorithm->train();
  const Losses four = with_random.algorithm->train_step(data);
  CHECK(four.count("random.loss") == 1);
  CHECK(four.count("random.loss_kd") == 1);
}

TEST_CASE("mutator/channel: fix slims the model physically, computing what the sliced model computed") {
  test::TempDir dir("pruning_fix");
  auto b = test::build_algorithm(dir, autoslim_config());
  Algorithm& algo = *b.algorithm;
  Mutator& mutator = *algo.mutator();
  algo.eval();
  std::int64_t before = 0;
  for (const auto& p : algo.model().parameters()) before += p.numel();
  const Subnet half = sample_subnet(mutator.groups(), SampleKind::random, *std::make_unique<std::mt19937_64>(7));
  mutator.set(half);
  at::NoGradGuard g;
  const at::Tensor x = batch().inputs;
  const at::Tensor sliced = algo.predict(x);
  mutator.fix(half);
  const at::Tensor slimmed = algo.predict(x);
  CHECK((sliced - slimmed).abs().max().item<double>() <= 1e-5);
  std::int64_t after = 0;
  for (const auto& p : algo.model().parameters()) after += p.numel();
  CHECK(after < before);
  CHECK(test::error_of([&] { mutator.set(half); }) == "mutator/channel: the model is slimmed; it has no choices left to set");
}

namespace {

/// Three units of ratios 0.25 / 0.5 / 1; a subnet costs the sum of its ratios times 100.
struct FakeSpace final : SearchContext {
  std::vector<SearchGroup> g{{"a", {"0.25", "0.5", "1"}, {}}, {"b", {"0.25", "0.5", "1"}, {}}, {"c", {"0.25", "0.5", "1"}, {}}};
  const std::vector<SearchGroup>& groups() const override { return g; }
  Costs costs(const Subnet& s) override {
    double sum = 0;
    for (const auto& [k, v] : s) sum += std::stod(v) * 100;
    return {{"flops", sum}};
  }
};

/// searcher/greedy_slim with `targets` (a TOML array), built through the registry.
struct Greedy {
  std::shared_ptr<host::Registry> registry;  // first: the plugin outlives the searcher
  std::shared_ptr<Searcher> searcher;
  Greedy(const test::TempDir& dir, const std::string& targets)
      : registry(host::load_registry({std::string(RAZOR_BINARY_DIR) + "/" + RAZOR_PLUGIN_INSTALL_DIR})) {
    auto doc = host::load_config(dir.write("config.toml", "[searcher]\ntype = \"greedy_slim\"\ntargets = " + targets + "\n"), {});
    static host::RunSettings settings;
    settings.logger = host::make_logger();
    host::HostContext ctx(*registry, host::TomlConfigView(doc).bind(nullptr, "test"), settings);
    searcher = ctx.build<Searcher>("searcher");
  }
};

}  // namespace

TEST_CASE("greedy_slim: one unit one step narrower a round, the best kept, a subnet per target from the largest") {
  test::TempDir dir("pruning_greedy");
  const Greedy greedy(dir, "[100.0, 200.0]");
  Searcher* searcher = greedy.searcher.get();
  FakeSpace space;
  // Scores prefer narrowing "c" first, then "b", then "a" (a cheap unit to lose first).
  const auto score = [](const Subnet& s) { return 100 + 10 * std::stod(s.at("a")) + 3 * std::stod(s.at("b")); };
  Subnet previous;
  double previous_flops = 1e9;
  int rounds = 0;
  for (auto proposed = searcher->propose(space); !proposed.empty(); proposed = searcher->propose(space), ++rounds) {
    std::vector<Candidate> scored;
    for (const auto& s : proposed) {
      scored.push_back({s, score(s), space.costs(s)});
      if (!previous.empty()) {  // exactly one unit, one ratio step down
        int changed = 0;
        for (const auto& g : space.g) {
          const auto from = std::find(g.choices.begin(), g.choices.end(), previous.at(g.key));
          const auto to = std::find(g.choices.begin(), g.choices.end(), s.at(g.key));
          if (from != to) {
            ++changed;
            CHECK(to + 1 == from);
          }
        }
        CHECK(changed == 1);
      }
    }
    searcher->report(scored);
    const auto chosen = std::max_element(scored.begin(), scored.end(), [](const Candidate& x, const Candidate& y) {
      return x.score < y.score;
    });
    CHECK(chosen->costs.at("flops") <= previous_flops);  // non-increasing
    previous_flops = chosen->costs.at("flops");
    previous = chosen->subnet;
    REQUIRE(rounds < 20);
  }
  const auto results = searcher->results();
  REQUIRE(results.size() == 2);
  CHECK(results[0].first == "flops_200");
  CHECK(results[1].first == "flops_100");
  // 300 -> c 0.5 (250) -> c 0.25 (225) -> b 0.5 (175 <= 200: first target) -> b 0.25 (150) -> a 0.5 (100).
  CHECK(results[0].second.costs.at("flops") == 175);
  CHECK(results[0].second.subnet == Subnet{{"a", "1"}, {"b", "0.5"}, {"c", "0.25"}});
  CHECK(results[1].second.costs.at("flops") == 100);
  CHECK(searcher->best()->subnet == results[0].second.subnet);
}

TEST_CASE("greedy_slim names a fractional target (milliseconds) as written, a whole one (MACs) in full") {
  test::TempDir dir("pruning_greedy_names");
  const Greedy greedy(dir, "[260.5, 1.0e2]");
  FakeSpace space;
  for (auto proposed = greedy.searcher->propose(space); !proposed.empty(); proposed = greedy.searcher->propose(space)) {
    std::vector<Candidate> scored;
    for (const auto& s : proposed) scored.push_back({s, 1.0, space.costs(s)});
    greedy.searcher->report(scored);
  }
  const auto results = greedy.searcher->results();
  REQUIRE(results.size() == 2);
  CHECK(results[0].first == "flops_260.5");
  CHECK(results[1].first == "flops_100");
}

TEST_CASE("mutator/channel: a subnet file round trip gives a fresh model the same widths and outputs") {
  test::TempDir dir("pruning_round_trip");
  auto first = test::build_algorithm(dir, autoslim_config());
  const Subnet chosen = sample_subnet(first.algorithm->mutator()->groups(), SampleKind::random,
                                      *std::make_unique<std::mt19937_64>(11));
  first.algorithm->mutator()->set(chosen);
  save_subnet(dir.file("subnet.toml"), chosen);
  save_weights(first.algorithm->model(), dir.file("model.pt"));

  auto second = test::build_algorithm(dir, autoslim_config());
  load_weights(second.algorithm->model(), dir.file("model.pt"));
  second.algorithm->mutator()->set(load_subnet(dir.file("subnet.toml"), second.algorithm->mutator()->groups()));
  CHECK(second.algorithm->mutator()->current() == chosen);
  first.algorithm->eval();
  second.algorithm->eval();
  at::NoGradGuard g;
  const at::Tensor x = batch().inputs;
  CHECK(at::equal(first.algorithm->predict(x), second.algorithm->predict(x)));
}

TEST_CASE("greedy_slim: a target below the smallest subnet's cost is one line naming both") {
  test::TempDir dir("pruning_greedy_unreachable");
  const Greedy greedy(dir, "[10.0]");
  Searcher* searcher = greedy.searcher.get();
  FakeSpace space;
  std::string error = "(no error)";
  for (int round = 0; round < 20 && error == "(no error)"; ++round) {
    error = test::error_of([&] {
      std::vector<Candidate> scored;
      for (const auto& s : searcher->propose(space)) scored.push_back({s, 1.0, space.costs(s)});
      searcher->report(scored);
    });
  }
  CHECK(error == "searcher/greedy_slim: the smallest subnet costs flops 75, above the target 10");
}
