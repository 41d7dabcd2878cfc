// The SPOS ShuffleNetV2 supernet and the Xception-style unit: shapes, hand-counted parameters, the
// one-shot invariants (a chosen block runs exactly its candidate and only it gets gradients, no
// choice runs the sum, fix frees the others), the ImageNet-size space, and its config checks.
#include "razor_doctest.hpp"

#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "flops_estimator.h"
#include "razor/errors.h"
#include "razor/mutable.h"
#include "shufflenet_v2.h"
#include "spos_shufflenet.h"
#include "test_support.hpp"
#include "models_test_support.hpp"

using namespace razor::models;
using razor::estimators::FlopsEstimator;
using razor::models::test::build;

namespace {

const std::vector<std::string> kCandidates = {"shuffle_3x3", "shuffle_5x5", "shuffle_7x7", "shuffle_xception"};

double count_params(torch::nn::Module& m) {
  double n = 0;
  for (const auto& p : m.parameters()) n += static_cast<double>(p.numel());
  return n;
}

// Candidate `name` of `op` run directly, bypassing the one-shot op.
at::Tensor run_candidate(razor::OneShotOpImpl& op, const std::string& name, const at::Tensor& x) {
  auto m = op.candidate(name);
  if (auto unit = std::dynamic_pointer_cast<ShuffleUnitImpl>(m)) return unit->forward(x);
  if (auto xception = std::dynamic_pointer_cast<ShuffleXceptionImpl>(m)) return xception->forward(x);
  FAIL("candidate " << name << " is neither ShuffleUnit nor ShuffleXception");
  return {};
}

// The supernet's forward written out with each block's candidate called by hand.
at::Tensor forward_by_hand(SposShuffleNetImpl& net, const std::vector<std::string>& path, const at::Tensor& x) {
  at::Tensor y = net.stem->forward(x);
  if (net.options.stem_pool()) y = at::max_pool2d(y, {3, 3}, {2, 2}, {1, 1});
  for (std::size_t i = 0; i < path.size(); ++i) y = run_candidate(net.block(i), path[i], y);
  if (net.last) y = net.last->forward(y);
  return net.fc->forward(at::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
}

// Paths of the modules that are mutables, in module order.
std::vector<std::string> mutable_paths(torch::nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& item : m.named_modules())
    if (dynamic_cast<razor::Mutable*>(item.value().get())) out.push_back(item.key());
  return out;
}

void set_all(SposShuffleNetImpl& net, const std::string& choice) {
  for (std::size_t i = 0; i < net.blocks->size(); ++i) net.block(i).set_choice(choice);
}

// The ImageNet space of configs/nas/spos_shufflenet_imagenet.toml, built from TOML values. The SPOS
// paper and MMRazor have no max-pooling after the stride-2 stem (stem_pool false); the config has one.
std::shared_ptr<SposShuffleNetImpl> imagenet_space(bool stem_pool) {
  return build<SposShuffleNetImpl>(
      "model/spos_shufflenet", {{"in_channels", "3"}, {"num_classes", "1000"}, {"stem_channels", "16"},
                                {"stem_stride", "2"}, {"stem_pool", stem_pool ? "true" : "false"},
                                {"widths", "[64, 160, 320, 640]"}, {"repeats", "[4, 4, 8, 4]"},
                                {"strides", "[2, 2, 2, 2]"}, {"last_channels", "1024"}});
}

}  // namespace

TEST_CASE("ShuffleXception: split and stride-2 units, shapes and hand-counted parameters") {
  // Split unit 8->8 (branch on 4 channels): 3 x (dw 3x3 36+8, 1x1 16+8).
  ShuffleXception split(8, 8, 1);
  CHECK(split->split);
  CHECK(count_params(*split) == 3 * (44 + 24));
  CHECK(split->forward(at::randn({2, 8, 5, 5})).sizes() == at::IntArrayRef({2, 8, 5, 5}));
  // Stride 2, 8->12 (half 6): branch dw 8 (72+16), 1x1 8->6 (48+12), 2 x (dw 6 54+12, 1x1 36+12);
  // shortcut dw 3x3 8 (72+16), 1x1 8->6 (48+12).
  ShuffleXception down(8, 12, 2);
  CHECK_FALSE(down->split);
  CHECK(count_params(*down) == 88 + 60 + 2 * (66 + 48) + 88 + 60);
  CHECK(down->forward(at::randn({2, 8, 7, 7})).sizes() == at::IntArrayRef({2, 12, 4, 4}));
  // Stride 1 but a width change also takes the two-branch form.
  CHECK_FALSE(ShuffleXception(8, 12, 1)->split);
  // The pass-through half is the first half of the input, shuffled to the even channels.
  at::Tensor x = at::randn({1, 8, 3, 3});
  CHECK(split->forward(x).index({at::indexing::Slice(), at::indexing::Slice(0, 8, 2)}).equal(x.slice(1, 0, 4)));
}

TEST_CASE("SPOS supernet: shapes, search groups, candidates") {
  SposShuffleNet net;
  CHECK(mutable_paths(*net) == std::vector<std::string>{"blocks.0", "blocks.1", "blocks.2", "blocks.3", "blocks.4",
                                                        "blocks.5"});
  for (std::size_t i = 0; i < net->blocks->size(); ++i) CHECK(net->block(i).choices() == kCandidates);
  for (auto shape : {std::vector<std::int64_t>{2, 1, 8, 8}, {2, 1, 28, 28}}) {
    CAPTURE(shape);
    at::Tensor x = at::randn(shape);
    CHECK(net->forward(x).sizes() == at::IntArrayRef({2, 10}));  // no choice: every candidate runs
    for (const auto& c : kCandidates) {
      set_all(*net, c);
      CHECK(net->forward(x).sizes() == at::IntArrayRef({2, 10}));
    }
  }
  // Without the final 1x1 convolution, the Linear layer reads the last stage's width.
  SposShuffleNet bare(SposShuffleNetOptions().last_channels(0).num_classes(3));
  CHECK_FALSE(bare->last);
  CHECK(bare->fc->weight.size(1) == 128);
  CHECK(bare->forward(at::randn({2, 1, 8, 8})).sizes() == at::IntArrayRef({2, 3}));
  // A subset of candidates, in the given order.
  SposShuffleNet two(SposShuffleNetOptions().candidates({"shuffle_xception", "shuffle_3x3"}));
  CHECK(two->block(0).choices() == std::vector<std::string>{"shuffle_xception", "shuffle_3x3"});
  CHECK_THROWS_AS(SposShuffleNet(SposShuffleNetOptions().candidates({"conv_9x9"})), razor::Error);
}

TEST_CASE("SPOS supernet: a chosen block runs exactly its candidate, and only it learns") {
  at::manual_seed(0);
  SposShuffleNet net;
  net->eval();  // BN uses running statistics, so running a candidate twice gives the same output
  const at::Tensor x = at::randn({2, 1, 8, 8});

  SUBCASE("one block: no choice gives the sum of the candidates, a choice gives that candidate") {
    const at::Tensor h = net->stem->forward(x);
    auto& op = net->block(0);
    REQUIRE_FALSE(op.current_choice());
    at::Tensor sum;
    for (const auto& c : kCandidates) {
      const at::Tensor y = run_candidate(op, c, h);
      sum = sum.defined() ? sum + y : y;
    }
    CHECK(op.forward(h).allclose(sum, 1e-6, 1e-6));
    for (const auto& c : kCandidates) {
      CAPTURE(c);
      op.set_choice(c);
      CHECK(op.forward(h).equal(run_candidate(op, c, h)));
    }
  }

  SUBCASE("whole network with a mixed path equals the path written out by hand") {
    std::vector<std::string> path;
    for (std::size_t i = 0; i < net->blocks->size(); ++i) {
      path.push_back(kCandidates[(i * 3 + 1) % kCandidates.size()]);
      net->block(i).set_choice(path.back());
    }
    CHECK(net->forward(x).equal(forward_by_hand(*net, path, x)));
    for (const auto& c : kCandidates) {
      CAPTURE(c);
      set_all(*net, c);
      CHECK(net->forward(x).equal(forward_by_hand(*net, std::vector<std::string>(net->blocks->size(), c), x)));
    }
  }

  SUBCASE("gradients reach only the chosen candidates") {
    net->train();
    std::vector<std::string> path;
    for (std::size_t i = 0; i < net->blocks->size(); ++i) {
      path.push_back(kCandidates[(i + 2) % kCandidates.size()]);
      net->block(i).set_choice(path.back());
    }
    at::cross_entropy_loss(net->forward(at::randn({4, 1, 8, 8})), at::arange(4, at::kLong)).backward();
    int with_grad = 0;
    for (const auto& p : net->named_parameters()) {
      CAPTURE(p.key());
      bool expected = true;  // stem, last and fc always run
      for (std::size_t i = 0; i < path.size(); ++i) {
        const std::string prefix = "blocks." + std::to_string(i) + ".";
        if (p.key().rfind(prefix, 0) == 0) expected = p.key().rfind(prefix + path[i] + ".", 0) == 0;
      }
      CHECK(p.value().grad().defined() == expected);
      with_grad += p.value().grad().defined();
    }
    CHECK(with_grad > 0);
  }
}

TEST_CASE("SPOS supernet: fix keeps only the chosen candidate's parameters") {
  SposShuffleNet net;
  net->block(1).fix("shuffle_5x5");
  CHECK(net->block(1).choices() == std::vector<std::string>{"shuffle_5x5"});
  int in_block = 0;
  for (const auto& p : net->named_parameters()) {
    if (p.key().rfind("blocks.1.", 0) != 0) continue;
    CAPTURE(p.key());
    CHECK(p.key().rfind("blocks.1.shuffle_5x5.", 0) == 0);
    ++in_block;
  }
  CHECK(in_block > 0);
  CHECK_THROWS_AS(net->block(1).candidate("shuffle_3x3"), razor::Error);
  // Blocks not fixed keep all four.
  int in_block0 = 0;
  for (const auto& p : net->named_parameters()) in_block0 += p.key().rfind("blocks.0.shuffle_7x7.", 0) == 0;
  CHECK(in_block0 > 0);
  CHECK(net->forward(at::randn({2, 1, 8, 8})).sizes() == at::IntArrayRef({2, 10}));
}

TEST_CASE("SPOS supernet at ImageNet size: 20 groups, FLOPs ordered by kernel size") {
  FlopsEstimator estimator;
  for (bool stem_pool : {true, false}) {
    CAPTURE(stem_pool);
    auto net = imagenet_space(stem_pool);
    const auto paths = mutable_paths(*net);
    REQUIRE(paths.size() == 20);
    CHECK(paths.front() == "blocks.0");
    CHECK(paths.back() == "blocks.19");
    std::map<std::string, double> macs;
    for (const auto& c : kCandidates) {
      set_all(*net, c);
      macs[c] = estimator.estimate(*net, {1, 3, 224, 224})["flops"];
      MESSAGE("SPOS ImageNet subnet (stem_pool " << stem_pool << "), every block " << c << ": "
                                                 << static_cast<long long>(macs[c]) << " MACs at 1x3x224x224");
    }
    CHECK(macs["shuffle_3x3"] < macs["shuffle_5x5"]);
    CHECK(macs["shuffle_5x5"] < macs["shuffle_7x7"]);
  }
}

TEST_CASE("model/spos_shufflenet: options from TOML values, config errors naming the key") {
  auto layout = [](torch::nn::Module& m) {
    std::vector<std::string> out;
    for (const auto& p : m.named_parameters()) out.push_back(p.key() + " " + std::to_string(p.value().numel()));
    return out;
  };
  CHECK(layout(*build<SposShuffleNetImpl>("model/spos_shufflenet")) == layout(*SposShuffleNet()));
  auto net = build<SposShuffleNetImpl>(
      "model/spos_shufflenet", {{"widths", "[16, 32]"}, {"repeats", "[1, 2]"}, {"strides", "[2, 2]"},
                                {"stem_stride", "2"}, {"stem_pool", "true"}, {"last_channels", "0"},
                                {"candidates", "['shuffle_7x7', \"shuffle_xception\"]"}});
  CHECK(layout(*net) ==
        layout(*SposShuffleNet(SposShuffleNetOptions().widths({16, 32}).repeats({1, 2}).strides({2, 2}).stem_stride(2)
                                   .stem_pool(true).last_channels(0).candidates({"shuffle_7x7", "shuffle_xception"}))));
  CHECK(net->forward(at::randn({2, 1, 28, 28})).sizes() == at::IntArrayRef({2, 10}));

  using Values = std::map<std::string, std::string>;
  const std::vector<std::pair<Values, std::string>> cases = {
      {{{"candidates", "['shuffle_3x3', 'conv_9x9']"}},
       "model.candidates: unknown candidate 'conv_9x9' "
       "(known: shuffle_3x3, shuffle_5x5, shuffle_7x7, shuffle_xception)"},
      {{{"candidates", "['shuffle_3x3', 'shuffle_3x3']"}}, "model.candidates: 'shuffle_3x3' is listed twice"},
      {{{"candidates", "[]"}}, "model.candidates: needs at least one candidate"},
      {{{"widths", "[32, 63, 128]"}}, "model.widths: values must be even (units split channels in halves)"},
      {{{"repeats", "[2, 2]"}}, "model.repeats: needs one value per stage (3 widths), got 2"},
      {{{"strides", "[1, 2, 2, 2]"}}, "model.strides: needs one value per stage (3 widths), got 4"},
      {{{"repeats", "[2, 0, 2]"}}, "model.repeats: values must be positive"},
      {{{"stem_stride", "0"}}, "model.stem_stride: must be positive"},
      {{{"last_channels", "-1"}}, "model.last_channels: must not be negative (0 = no final 1x1 convolution)"},
      {{{"widths", "[]"}, {"repeats", "[]"}, {"strides", "[]"}}, "model.widths: needs at least one stage"},
  };
  for (const auto& c : cases) {  // not a structured binding: the lambdas below capture these
    const auto& values = c.first;
    const std::string& message = c.second;
    CAPTURE(message);
    CHECK(razor::test::error_of([&] { build<SposShuffleNetImpl>("model/spos_shufflenet", values); }) ==
          "t.toml:1:1: " + message);
    CHECK_THROWS_AS(build<SposShuffleNetImpl>("model/spos_shufflenet", values), razor::ConfigError);
  }
}
