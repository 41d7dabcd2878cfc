// Iterative pruning by channel importance: the L1 and FPGM criteria exactly, the linear schedule
// (invariant 15), each unit keeping its most important active channels, training through scattered
// channel sets (only active channels move, batch-norm statistics written back), exact resume of the
// pruning state, and the one-subnet mutator the export slims.
#include "razor_doctest.hpp"

#include <sstream>

#include <ATen/ATen.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include "build_from_config.hpp"
#include "criteria.h"
#include "iterative_prune.h"
#include "razor/state_archive.h"
#include "small_resnet.hpp"

using namespace razor;
using pruning::IterativePrune;
using pruning::scheduled_ratio;

namespace {

std::string prune_config(const std::string& algorithm_keys, const std::string& tail = "") {
  return test::small_resnet_config("iterative_prune", algorithm_keys, tail);
}

const std::string kStem = "stem.conv_(0, 8)_8";

Batch batch() { return test::small_batch(); }

IterativePrune& as_prune(const test::BuiltAlgorithm& b) { return dynamic_cast<IterativePrune&>(*b.algorithm); }

/// A module's registered (full-size) parameter or buffer.
at::Tensor full(torch::nn::Module& m, const std::string& module, const std::string& name) {
  for (const auto& item : m.named_modules()) {
    if (item.key() != module) continue;
    auto params = item.value()->named_parameters(false);
    return params.contains(name) ? params[name] : item.value()->named_buffers(false)[name];
  }
  FAIL("no module " << module);
  return {};
}

/// The stem unit's producers (the stem conv and its residual partner) get channel c scaled by scale[c]:
/// the L1 importance of channel c is then scale[c].
void scale_stem(torch::nn::Module& model, const std::vector<double>& scale) {
  torch::NoGradGuard g;
  for (const char* conv : {"stem.conv", "stages.0.conv2.conv"}) {
    at::Tensor w = full(model, conv, "weight");
    w.copy_(at::tensor(scale, w.options()).view({-1, 1, 1, 1}).expand_as(w));
  }
}

}  // namespace

TEST_CASE("pruner/l1 and pruner/fpgm score channels exactly") {
  pruning::L1Pruner l1;
  // Two layers producing 2 channels: mean |w| per row is [1, 1] and [1.5, 0]; averaged [1.25, 0.5].
  const std::vector<at::Tensor> two = {at::tensor({1.0, -1.0, 0.0, 2.0}).view({2, 2}),
                                       at::tensor({3.0, 0.0, 0.0, 0.0}).view({2, 2})};
  CHECK(at::allclose(l1.importance(two), at::tensor({1.25, 0.5}, at::kDouble)));
  // Filters 0, 1, 3 (joined with a zero layer): summed distances 4, 3, 5 — channel 1 is the median.
  pruning::FpgmPruner fpgm;
  const std::vector<at::Tensor> three = {at::tensor({0.0, 1.0, 3.0}).view({3, 1}), at::zeros({3, 4}, at::kDouble)};
  CHECK(at::allclose(fpgm.importance(three), at::tensor({4.0, 3.0, 5.0}, at::kDouble)));
  CHECK(test::error_of([&] { l1.importance({}); }) == "pruner/l1: the unit has no filters to score");
}

TEST_CASE("iterative_prune: the schedule is linear to the keep ratio, at steps 0, f, 2f, ... prune_times times") {
  CHECK(*scheduled_ratio(0, 2, 3, 0.4) == doctest::Approx(0.8));
  CHECK_FALSE(scheduled_ratio(1, 2, 3, 0.4));
  CHECK(*scheduled_ratio(2, 2, 3, 0.4) == doctest::Approx(0.6));
  CHECK_FALSE(scheduled_ratio(3, 2, 3, 0.4));
  CHECK(*scheduled_ratio(4, 2, 3, 0.4) == doctest::Approx(0.4));
  CHECK_FALSE(scheduled_ratio(6, 2, 3, 0.4));
  CHECK(*scheduled_ratio(0, 1, 1, 0.5) == 0.5);
}

TEST_CASE("iterative_prune: every unit keeps its most important active channels, narrowing step by step") {
  test::TempDir dir("prune_schedule");
  auto b = test::build_algorithm(dir, prune_config("keep_ratio = 0.5\nstep_freq = 2\nprune_times = 2"));
  IterativePrune& algo = as_prune(b);
  ChannelSlicer& slicer = algo.slicer();
  scale_stem(algo.model(), {5, 1, 8, 2, 7, 3, 6, 4});
  algo.train();
  const Batch data = batch();

  algo.train_step(data);  // step 0: 0.75 of each unit, the stem's two weakest channels (1, 3) go
  CHECK(slicer.kept(kStem) == std::vector<std::int64_t>{0, 2, 4, 5, 6, 7});
  for (const auto& u : slicer.units()) CHECK(slicer.active().at(u.name) == u.channels * 3 / 4);
  algo.train_step(data);  // step 1: no change
  CHECK(slicer.kept(kStem) == std::vector<std::int64_t>{0, 2, 4, 5, 6, 7});
  algo.train_step(data);  // step 2: 0.5, among the channels still active
  CHECK(slicer.kept(kStem) == std::vector<std::int64_t>{0, 2, 4, 6});
  for (const auto& u : slicer.units()) CHECK(slicer.active().at(u.name) == u.channels / 2);
  for (int i = 0; i < 3; ++i) algo.train_step(data);  // the schedule is done
  CHECK(slicer.kept(kStem) == std::vector<std::int64_t>{0, 2, 4, 6});

  // The export's view: one subnet, the active counts; fix() slims to it and computes the same.
  Mutator& widths = *algo.mutator();
  for (const auto& g : widths.groups()) CHECK(g.choices.size() == 1);
  CHECK(widths.current().at(kStem) == "4");
  Subnet other = widths.current();
  other[kStem] = "8";
  CHECK(test::error_of([&] { widths.set(other); }) ==
        "pruned model: unit 'stem.conv_(0, 8)_8' has 4 channels, not 8 (a pruned model has one subnet)");
  CHECK(test::error_of([&] { widths.set({{"nope", "1"}}); }) == "pruned model: no prunable channel unit 'nope'");
  other.erase(kStem);
  CHECK(test::error_of([&] { widths.set(other); }) == "pruned model: the subnet has no width for unit 'stem.conv_(0, 8)_8'");
  CHECK(test::error_of([&] { slicer.keep({{kStem, {}}}); }) == "unit stem.conv_(0, 8)_8: no channel to keep");
  CHECK(test::error_of([&] { slicer.keep({{kStem, {8}}}); }) == "unit stem.conv_(0, 8)_8: channel 8 is out of range 0..7");
  algo.eval();
  torch::NoGradGuard g;
  const at::Tensor pruned = algo.predict(data.inputs);
  widths.fix(widths.current());
  CHECK((algo.predict(data.inputs) - pruned).abs().max().item<double>() <= 1e-5);
  CHECK(full(algo.model(), "stem.conv", "weight").size(0) == 4);
}

TEST_CASE("iterative_prune: training moves only the active channels; batch norm's statistics are written back") {
  test::TempDir dir("prune_training");
  auto b = test::build_algorithm(dir, prune_config("keep_ratio = 0.5", "[algorithm.pruner]\ntype = \"fpgm\"\n"));
  IterativePrune& algo = as_prune(b);
  torch::optim::SGD sgd(algo.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  algo.train();
  const Batch data = batch();
  const at::Tensor w0 = full(algo.model(), "stem.conv", "weight").clone();
  const at::Tensor mean0 = full(algo.model(), "stem.bn", "running_mean").clone();
  for (int step = 0; step < 3; ++step) {  // three backward passes through the same scattered slices
    sgd.zero_grad();
    algo.train_step(data);
    sgd.step();
  }
  const std::vector<std::int64_t> kept = algo.slicer().kept(kStem);
  REQUIRE(kept.size() == 4);
  const at::Tensor w = full(algo.model(), "stem.conv", "weight"), mean = full(algo.model(), "stem.bn", "running_mean");
  for (std::int64_t c = 0; c < 8; ++c) {
    const bool active = std::find(kept.begin(), kept.end(), c) != kept.end();
    CAPTURE(c);
    CHECK(at::equal(w[c], w0[c]) != active);
    CHECK(at::equal(mean[c], mean0[c]) != active);
  }
}

TEST_CASE("iterative_prune: its state (step, kept channels) resumes exactly") {
  test::TempDir dir("prune_resume");
  const std::string config = prune_config("keep_ratio = 0.25\nstep_freq = 2\nprune_times = 2");
  auto a = test::build_algorithm(dir, config);
  const Batch data = batch();
  a.algorithm->train();
  as_prune(a).train_step(data);
  as_prune(a).train_step(data);
  std::stringstream weights, state;
  {
    torch::serialize::OutputArchive w, s;
    a.algorithm->save(w);
    a.algorithm->save_state(s);
    w.save_to(weights);
    s.save_to(state);
  }
  auto r = test::build_algorithm(dir, config);
  {
    torch::serialize::InputArchive w, s;
    w.load_from(weights);
    s.load_from(state);
    r.algorithm->load(w);
    r.algorithm->load_state(s);
  }
  r.algorithm->train();
  for (const auto& u : as_prune(a).slicer().units()) CHECK(as_prune(r).slicer().kept(u.name) == as_prune(a).slicer().kept(u.name));
  const Losses la = as_prune(a).train_step(data), lr = as_prune(r).train_step(data);  // step 2 prunes again
  CHECK(la.at("loss").item<double>() == lr.at("loss").item<double>());
  for (const auto& u : as_prune(a).slicer().units()) CHECK(as_prune(r).slicer().kept(u.name) == as_prune(a).slicer().kept(u.name));
  CHECK(as_prune(a).slicer().active().at(kStem) == 2);

  std::stringstream broken;
  {
    torch::serialize::OutputArchive s;
    write_text(s, "iterative_prune", "2\nno tab here\n");
    s.save_to(broken);
  }
  torch::serialize::InputArchive s;
  s.load_from(broken);
  CHECK(test::error_of([&] { r.algorithm->load_state(s); }) == "iterative_prune state: a line without its unit name");
}

TEST_CASE("iterative_prune: bad keep ratios and unit names are one line each") {
  test::TempDir dir("prune_errors");
  CHECK(test::error_of([&] { test::build_algorithm(dir, prune_config("keep_ratio = 0")); })
            .find("algorithm.keep_ratio: keep ratio 0 is not in (0, 1]") != std::string::npos);
  const std::string typo = test::error_of([&] {
    test::build_algorithm(dir, prune_config("", "[algorithm.keep_ratios]\n\"stem.conv_(0, 8)_9\" = 0.5\n"));
  });
  CHECK(typo.find("no prunable channel unit 'stem.conv_(0, 8)_9'; did you mean 'stem.conv_(0, 8)_8'?") != std::string::npos);
  CHECK(test::error_of([&] { test::build_algorithm(dir, prune_config("step_freq = 0")); })
            .find("algorithm.step_freq: must be at least 1") != std::string::npos);
  CHECK(test::error_of([&] { test::build_algorithm(dir, prune_config("prune_times = 0")); })
            .find("algorithm.prune_times: must be at least 1") != std::string::npos);
  std::string nas = prune_config("");
  nas.replace(nas.find("type = \"channel\"\ninput_shape = [1, 8, 8]"), 40, "type = \"nas\"");
  CHECK(test::error_of([&] { test::build_algorithm(dir, nas); }).find("algorithm.mutator: must be the channel mutator") !=
        std::string::npos);
  auto b = test::build_algorithm(dir, prune_config("keep_ratio = 0.5", "[algorithm.keep_ratios]\n\"stem.conv_(0, 8)_8\" = 1.0\n"));
  b.algorithm->train();
  as_prune(b).train_step(batch());
  CHECK(as_prune(b).slicer().active().at(kStem) == 8);
  CHECK(as_prune(b).slicer().active().at("stages.2.conv2.conv_(0, 32)_32") == 16);
}
