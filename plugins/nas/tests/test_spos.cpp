// algorithm/spos: one sampled path per step (only it gets gradients), a fixed validation path between
// steps, retrain mode fixes a subnet file (only chosen ops left) from scratch or supernet weights.
#include "razor_doctest.hpp"

#include <set>

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include "build_from_config.hpp"
#include "razor/subnet_file.h"
#include "base/logging.h"
#include "stages/search/subnet_scorer.h"
#include "spos.h"
#include "test_support.hpp"

using namespace razor;

namespace {

// The supernet config; `algorithm_keys` go into [algorithm].
std::string supernet(const std::string& algorithm_keys = "") {
  return R"(
[algorithm]
type = "spos"
)" + algorithm_keys + R"(
[algorithm.architecture]
type = "spos_shufflenet"
in_channels = 1
num_classes = 10
stem_channels = 8
widths = [16, 32]
repeats = [1, 2]
strides = [1, 2]
last_channels = 0
)";
}

using Built = test::BuiltAlgorithm;

Built build(const test::TempDir& dir, const std::string& toml, std::uint64_t seed = 0) {
  return test::build_algorithm(dir, toml, seed);
}

Batch batch() {
  at::manual_seed(3);
  return {at::randn({4, 1, 8, 8}), at::randint(0, 10, {4}, at::kLong)};
}

}  // namespace

TEST_CASE("supernet mode: each step trains one sampled path, validation keeps one fixed path") {
  test::TempDir dir("spos_supernet");
  auto b = build(dir, supernet());
  auto& spos = dynamic_cast<nas::Spos&>(*b.algorithm);
  CHECK_FALSE(spos.retraining());
  Mutator& mutator = *spos.mutator();
  CHECK(mutator.groups().size() == 3);
  CHECK(mutator.current() == spos.validation_path());

  std::set<Subnet> seen;
  for (int step = 0; step < 6; ++step) {
    for (auto& p : spos.parameters()) p.mutable_grad() = at::Tensor();
    spos.train_step(batch());
    // Gradients: exactly the parameters of one candidate per block, plus the fixed layers.
    std::int64_t blocks_with_grads = 0;
    for (const auto& group : mutator.groups()) {
      std::int64_t candidates_with_grads = 0;
      for (const auto& choice : group.choices) {
        bool has = false;
        for (const auto& p : spos.named_parameters())
          if (p.key().find("architecture." + group.key + "." + choice + ".") == 0 && p.value().grad().defined())
            has = true;
        candidates_with_grads += has;
      }
      CHECK(candidates_with_grads == 1);
      blocks_with_grads += candidates_with_grads;
    }
    CHECK(blocks_with_grads == 3);
    CHECK(mutator.current() == spos.validation_path());  // restored after the step
  }
}

TEST_CASE("retrain mode fixes the subnet file; init_weights inherits the supernet's weights") {
  test::TempDir dir("spos_retrain");
  auto super = build(dir, supernet());
  torch::serialize::OutputArchive weights;
  super.algorithm->model().save(weights);
  weights.save_to(dir.file("model.pt"));
  const Subnet subnet{{"blocks.0", "shuffle_5x5"}, {"blocks.1", "shuffle_xception"}, {"blocks.2", "shuffle_3x3"}};
  save_subnet(dir.file("subnet.toml"), subnet);

  auto scratch = build(dir, supernet("subnet = \"" + dir.file("subnet.toml") + "\"\n"), 5);
  auto& spos = dynamic_cast<nas::Spos&>(*scratch.algorithm);
  CHECK(spos.retraining());
  CHECK(spos.mutator()->groups().empty());
  std::int64_t block0 = 0, block1 = 0;
  for (const auto& p : spos.named_parameters()) {
    if (p.key().find("architecture.blocks.0.") == 0) {
      CHECK(p.key().find("blocks.0.shuffle_5x5.") != std::string::npos);
      ++block0;
    }
    if (p.key().find("architecture.blocks.1.") == 0) {
      CHECK(p.key().find("blocks.1.shuffle_xception.") != std::string::npos);
      ++block1;
    }
  }
  CHECK(block0 > 0);  // the fixed blocks still have parameters: the checks above are not vacuous
  CHECK(block1 > 0);

  auto inherit = build(
      dir, supernet("subnet = \"" + dir.file("subnet.toml") + "\"\ninit_weights = \"" + dir.file("model.pt") + "\"\n"), 5);
  const auto supernet_params = super.algorithm->named_parameters();
  std::int64_t compared = 0;
  for (const auto& p : inherit.algorithm->named_parameters()) {
    CHECK(at::equal(p.value(), supernet_params[p.key()]));
    ++compared;
  }
  CHECK(compared > 0);
  // From scratch with another seed: not the supernet's weights.
  CHECK_FALSE(at::equal(scratch.algorithm->named_parameters()["architecture.blocks.0.shuffle_5x5.branch.0.conv.weight"],
                        supernet_params["architecture.blocks.0.shuffle_5x5.branch.0.conv.weight"]));
}

TEST_CASE("retrain mode: a bad subnet file is a one-line error naming the file and place") {
  test::TempDir dir("spos_bad");
  dir.write("bad.toml", "[subnet]\n\"blocks.0\" = \"shuffle_9x9\"\n");
  const auto message = test::error_of([&] {
    build(dir, supernet("subnet = \"" + dir.file("bad.toml") + "\"\n"));
  });
  CHECK(message.find(dir.file("bad.toml") + ":2:") == 0);
  CHECK(message.find("'shuffle_9x9' is not a choice") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("scoring subnets (recalibrated or batch statistics) never changes the supernet") {
  test::TempDir dir("spos_scoring");
  auto b = build(dir, supernet());
  Algorithm& algorithm = *b.algorithm;
  at::manual_seed(1);
  LabelledImages data{at::randn({96, 1, 8, 8}), at::randint(0, 10, {96}, at::kLong)};
  host::BatchLoader loader(data, 32, false, 0);
  algorithm.train();
  for (int i = 0; i < 3; ++i) algorithm.train_step(loader.batch(0, i));  // non-trivial BN statistics
  std::map<std::string, at::Tensor> before;
  for (const auto& p : algorithm.named_parameters()) before[p.key()] = p.value().detach().clone();
  for (const auto& p : algorithm.named_buffers()) before[p.key()] = p.value().clone();

  for (const bool norm_training : {false, true}) {
    host::SubnetScorer scorer(algorithm, loader, loader, {norm_training ? 0 : 64, norm_training},
                              c10::Device(c10::kCPU));
    std::mt19937_64 rng(3);
    std::set<double> scores;
    for (int i = 0; i < 4; ++i) {
      const auto accuracy = scorer.score(sample_subnet(algorithm.mutator()->groups(), SampleKind::random, rng));
      CHECK(accuracy.top1 >= 0.0);
      CHECK(accuracy.top1 <= 100.0);
      scores.insert(accuracy.top1);
    }
    std::size_t compared = 0;
    for (const auto& p : algorithm.named_parameters()) compared += at::equal(p.value(), before[p.key()]);
    for (const auto& p : algorithm.named_buffers()) compared += at::equal(p.value(), before[p.key()]);
    CHECK(compared == before.size());
  }
}
