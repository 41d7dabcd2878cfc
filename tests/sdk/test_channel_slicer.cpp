// ChannelSlicer (razor/channel_slicer.h) on the zoo's networks: sliced forward passes equal the
// slimmed model's, only active batch-norm statistics move, inactive channels get no gradient,
// permutations keep the function, and the FLOPs estimator sees the same costs before and after slim.
#include <ATen/ATen.h>
#include <torch/utils.h>

#include "flops_estimator.h"
#include "mobilenet_v2.h"
#include "razor/channel_slicer.h"
#include "razor/errors.h"
#include "razor_doctest.hpp"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "test_support.hpp"

using namespace razor::models;
using razor::estimators::FlopsEstimator;

namespace {

double max_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

/// Every prunable unit at `ratio` of its channels (at least 1).
std::map<std::string, std::int64_t> at_ratio(const razor::ChannelSlicer& slicer, double ratio) {
  std::map<std::string, std::int64_t> active;
  for (const auto& u : slicer.units()) active[u.name] = std::max<std::int64_t>(1, static_cast<std::int64_t>(u.channels * ratio));
  return active;
}

std::int64_t numel(const std::vector<at::Tensor>& tensors) {
  std::int64_t n = 0;
  for (const auto& t : tensors) n += t.numel();
  return n;
}

/// Sliced at `ratio` vs slimmed: same outputs, same estimated costs; the full parameters stay until slim.
template <class Net>
void check_slim_equivalence(Net net, const std::vector<std::int64_t>& shape, double ratio) {
  at::manual_seed(0);
  net->eval();
  const at::Tensor x = at::randn(shape);
  razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x).units);
  REQUIRE_FALSE(slicer.units().empty());
  const std::int64_t full_params = numel(net->parameters());
  FlopsEstimator estimator;
  const razor::Costs full_costs = estimator.estimate(*net, shape);
  slicer.apply(at_ratio(slicer, ratio));
  CHECK(numel(net->parameters()) == full_params);  // optimizers and checkpoints see the full model
  at::Tensor sliced;
  razor::Costs sliced_costs;
  {
    torch::NoGradGuard g;
    sliced = net->forward(x);
  }
  sliced_costs = estimator.estimate(*net, shape);
  CHECK(sliced_costs.at("flops") < full_costs.at("flops"));
  CHECK(sliced_costs.at("params") < full_costs.at("params"));
  slicer.slim();
  at::Tensor slimmed;
  {
    torch::NoGradGuard g;
    slimmed = net->forward(x);
  }
  CHECK(slimmed.sizes() == sliced.sizes());
  CHECK(max_diff(sliced, slimmed) <= 1e-5);
  CHECK(numel(net->parameters()) < full_params);
  const razor::Costs slim_costs = estimator.estimate(*net, shape);
  CHECK(slim_costs.at("flops") == sliced_costs.at("flops"));
  CHECK(slim_costs.at("params") == sliced_costs.at("params"));
  CHECK(static_cast<std::int64_t>(slim_costs.at("params")) == numel(net->parameters()));
  CHECK_THROWS_AS(slicer.apply({}), razor::Error);
}

}  // namespace

TEST_CASE("channel slicer: sliced and slimmed zoo models compute the same, at the costs the estimator gives") {
  check_slim_equivalence(ResNet(ResNetOptions().stem_channels(8).widths({8, 16, 32}).blocks({1, 1, 1})), {2, 1, 16, 16}, 0.5);
  check_slim_equivalence(MobileNetV2(MobileNetV2Options().stem_channels(8).widths({8, 12, 16}).repeats({1, 2, 1})
                                         .strides({1, 2, 2}).expand_ratio(4).last_channels(32)),
                         {2, 1, 16, 16}, 0.5);
  check_slim_equivalence(ShuffleNetV2(ShuffleNetV2Options().stem_channels(8).widths({8, 16}).repeats({2, 2})
                                          .strides({1, 2}).last_channels(32)),
                         {2, 1, 16, 16}, 0.25);
}

TEST_CASE("channel slicer: every unit at one channel still runs with the model's output shape") {
  ResNet net(ResNetOptions().stem_channels(8).widths({8, 16, 32}).blocks({2, 1, 1}));
  net->eval();
  const at::Tensor x = at::randn({2, 1, 8, 8});
  razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x).units);
  slicer.apply(at_ratio(slicer, 0.0));
  torch::NoGradGuard g;
  CHECK(net->forward(x).sizes() == at::IntArrayRef({2, 10}));
  for (const auto& [name, k] : slicer.active()) CHECK(k == 1);
}

TEST_CASE("channel slicer: training updates only the active batch-norm statistics and weights") {
  ResNet net(ResNetOptions().stem_channels(8).widths({8, 16, 32}).blocks({1, 1, 1}));
  const at::Tensor x = at::randn({4, 1, 8, 8});
  razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x).units);
  slicer.apply({{"stem.conv_(0, 8)_8", 3}});
  const at::Tensor mean_before = net->stem->bn->named_buffers()["running_mean"].clone();
  net->train();
  at::cross_entropy_loss(net->forward(x), at::zeros({4}, at::kLong)).backward();
  const at::Tensor mean_after = net->stem->bn->named_buffers()["running_mean"];
  CHECK_FALSE(at::equal(mean_after.narrow(0, 0, 3), mean_before.narrow(0, 0, 3)));
  CHECK(at::equal(mean_after.narrow(0, 3, 5), mean_before.narrow(0, 3, 5)));
  const at::Tensor grad = net->stem->conv->named_parameters()["weight"].grad();
  REQUIRE(grad.defined());
  CHECK(grad.narrow(0, 0, 3).abs().sum().item<double>() > 0);
  CHECK(grad.narrow(0, 3, 5).abs().sum().item<double>() == 0);
}

TEST_CASE("channel slicer: a permutation of a unit's channels keeps the function; its first k are then kept") {
  MobileNetV2 net(MobileNetV2Options().stem_channels(8).widths({8, 12}).repeats({1, 2}).strides({1, 2}).expand_ratio(4)
                      .last_channels(16));
  net->eval();
  const at::Tensor x = at::randn({2, 1, 8, 8});
  razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x).units);
  torch::NoGradGuard g;
  const at::Tensor before = net->forward(x);
  for (const auto& u : slicer.units()) slicer.permute(u.name, at::randperm(u.channels, at::kLong));
  CHECK(max_diff(before, net->forward(x)) <= 1e-5);

  const std::string name = slicer.units().front().name;
  CHECK(razor::test::error_of([&] { slicer.permute(name, at::zeros({slicer.units().front().channels}, at::kLong)); })
            .find("is not a permutation") != std::string::npos);
  CHECK(razor::test::error_of([&] { slicer.apply({{"nope", 1}}); }) == "no prunable channel unit 'nope'");
  CHECK(razor::test::error_of([&] { slicer.apply({{name, 0}}); }).find("out of range 1..") != std::string::npos);
}

TEST_CASE("channel slicer: any kept set of channels computes what the slimmed model computes; permute carries it") {
  MobileNetV2 net(MobileNetV2Options().stem_channels(8).widths({8, 12}).repeats({1, 2}).strides({1, 2}).expand_ratio(4)
                      .last_channels(16));
  net->eval();
  const at::Tensor x = at::randn({2, 1, 8, 8});
  razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x).units);
  std::map<std::string, std::vector<std::int64_t>> odd;  // every unit keeps its odd channels
  for (const auto& u : slicer.units()) {
    for (std::int64_t c = 1; c < u.channels; c += 2) odd[u.name].push_back(c);
  }
  slicer.keep(odd);
  for (const auto& u : slicer.units()) CHECK(slicer.active().at(u.name) == u.channels / 2);
  torch::NoGradGuard g;
  const at::Tensor kept = net->forward(x);
  const std::string name = slicer.units().front().name;
  slicer.permute(name, at::arange(slicer.units().front().channels - 1, -1, -1, at::kLong));  // reversed
  CHECK(slicer.kept(name).front() == 0);  // old channel 7 is new channel 0
  CHECK(max_diff(kept, net->forward(x)) <= 1e-5);
  slicer.refresh();  // under NoGradGuard too, the copied slices stay tied to the parameters
  FlopsEstimator estimator;
  const razor::Costs sliced_costs = estimator.estimate(*net, {2, 1, 8, 8});
  slicer.slim();
  CHECK(max_diff(kept, net->forward(x)) <= 1e-5);
  CHECK(estimator.estimate(*net, {2, 1, 8, 8}) == sliced_costs);

  CHECK(razor::test::error_of([&] { razor::ChannelSlicer(*net, {}).keep({{"x", {0}}}); }) == "no prunable channel unit 'x'");
}

TEST_CASE("channel slicer: scattered slices train over many steps after refresh(); statistics reach the full buffers") {
  ResNet net(ResNetOptions().stem_channels(8).widths({8, 16, 32}).blocks({1, 1, 1}));
  const at::Tensor x = at::randn({4, 1, 8, 8});
  razor::ChannelSlicer slicer(*net, razor::analyse_channels(*net, x).units);
  slicer.keep({{"stem.conv_(0, 8)_8", {1, 4, 6}}});
  const at::Tensor mean_before = net->stem->bn->named_buffers()["running_mean"].clone();
  at::Tensor weight = net->stem->conv->named_parameters()["weight"];
  net->train();
  for (int step = 0; step < 3; ++step) {
    slicer.refresh();
    at::cross_entropy_loss(net->forward(x), at::zeros({4}, at::kLong)).backward();
    torch::NoGradGuard g;
    weight.sub_(0.1 * weight.grad());  // an optimizer step on the full tensor; the next refresh() sees it
  }
  slicer.refresh();
  const at::Tensor mean_after = net->stem->bn->named_buffers()["running_mean"];
  for (std::int64_t c = 0; c < 8; ++c) {
    const bool active = c == 1 || c == 4 || c == 6;
    CAPTURE(c);
    CHECK(at::equal(mean_after[c], mean_before[c]) != active);
  }
  CHECK(weight.grad().index_select(0, at::tensor({0, 2, 3, 5, 7}, at::kLong)).abs().sum().item<double>() == 0);
  CHECK(at::equal(net->stem->conv->weight, weight.index_select(0, at::tensor({1, 4, 6}, at::kLong))));
}
