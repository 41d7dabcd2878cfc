// Zoo networks and the FLOPs estimator: shapes, hand-counted parameters and FLOPs, only executed
// modules counted, training works, options read from a config.
#include <map>

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "flops_estimator.h"
#include "mobilenet_v2.h"
#include "razor/errors.h"
#include "razor_doctest.hpp"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "zoo_options.h"

using namespace razor::zoo;

namespace {

double count_params(torch::nn::Module& m) {
  double n = 0;
  for (const auto& p : m.parameters()) n += static_cast<double>(p.numel());
  return n;
}

// conv3x3(1->4, bias) -> BN(4) -> ReLU -> global pool -> Linear(4->3); `skip` bypasses a 1x1 conv branch.
struct Tiny final : razor::Model {
  Tiny()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)))),
        bn(register_module("bn", torch::nn::BatchNorm2d(4))),
        extra(register_module("extra", torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 4, 1).bias(false)))),
        fc(register_module("fc", torch::nn::Linear(4, 3))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = at::relu(bn->forward(conv->forward(x)));
    if (use_extra) y = extra->forward(y);
    return fc->forward(at::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
  }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
  torch::nn::Conv2d extra;
  torch::nn::Linear fc;
  bool use_extra = false;
};

// A ConfigView over a flat map of TOML-ish values, enough to drive the option readers.
class MapView final : public razor::ConfigView {
 public:
  std::map<std::string, std::vector<std::int64_t>> lists;
  std::map<std::string, std::int64_t> ints;
  bool has(const std::string& k) const override { return lists.count(k) || ints.count(k); }
  std::vector<std::string> keys() const override { return {}; }
  bool get_bool(const std::string& k) const override { fail(k, "no bools"); }
  std::int64_t get_int(const std::string& k) const override { return ints.at(k); }
  double get_double(const std::string& k) const override { fail(k, "no doubles"); }
  std::string get_string(const std::string& k) const override { fail(k, "no strings"); }
  std::vector<std::int64_t> get_int_list(const std::string& k) const override { return lists.at(k); }
  std::vector<double> get_double_list(const std::string& k) const override { fail(k, "no doubles"); }
  std::vector<std::string> get_string_list(const std::string& k) const override { fail(k, "no strings"); }
  std::shared_ptr<const ConfigView> table(const std::string& k) const override { fail(k, "no tables"); }
  std::string path() const override { return "model"; }
  std::string where(const std::string&) const override { return "t.toml:1:1"; }
};

}  // namespace

TEST_CASE("zoo networks fit digits, Fashion-MNIST and CIFAR shapes") {
  for (auto shape : {std::vector<std::int64_t>{2, 1, 8, 8}, {2, 1, 28, 28}, {2, 3, 32, 32}}) {
    const auto c = shape[1];
    ResNet resnet(ResNetOptions().in_channels(c));
    MobileNetV2 mobilenet(MobileNetV2Options().in_channels(c));
    ShuffleNetV2 shufflenet(ShuffleNetV2Options().in_channels(c));
    at::Tensor x = at::randn(shape);
    CHECK(resnet->forward(x).sizes() == at::IntArrayRef({2, 10}));
    CHECK(mobilenet->forward(x).sizes() == at::IntArrayRef({2, 10}));
    CHECK(shufflenet->forward(x).sizes() == at::IntArrayRef({2, 10}));
  }
  CHECK(shuffle_channels(at::arange(4.0).view({1, 4, 1, 1}), 2).flatten().equal(at::tensor({0.0, 2.0, 1.0, 3.0})));
}

TEST_CASE("parameter counts equal hand counts") {
  // ResNet defaults, 1 input channel. ConvBn = k*k*in*out + 2*out (BN affine).
  //   stem 1->16: 144 + 32                                   = 176
  //   stage 1 (16->16, identity): 2 x (2304 + 32)            = 4672
  //   stage 2 (16->32, s2): 4608+64 + 9216+64 + 512+64        = 14528
  //   stage 3 (32->64, s2): 18432+128 + 36864+128 + 2048+128  = 57728
  //   fc 64*10 + 10                                           = 650
  ResNet resnet;
  CHECK(count_params(*resnet) == 176 + 4672 + 14528 + 57728 + 650);

  // MobileNetV2 with one stage: stem 1->8 (72+16), block 8->8 t=1: depthwise 9*8+16, project 64+16,
  // last 8->16 (128+32), fc 16*10+10.
  MobileNetV2 mobilenet(MobileNetV2Options().stem_channels(8).widths({8}).repeats({1}).strides({1}).last_channels(16));
  CHECK(count_params(*mobilenet) == 88 + 88 + 80 + 160 + 170);

  // ShuffleNetV2, one stage 8->8 with one split unit: branch 4->4 1x1 (16+8), dw 3x3 (36+8), 1x1 (16+8).
  ShuffleNetV2 shufflenet(ShuffleNetV2Options().stem_channels(8).widths({8}).repeats({1}).strides({1}).last_channels(16));
  CHECK(count_params(*shufflenet) == 88 + 24 + 44 + 24 + 160 + 170);
}

TEST_CASE("FLOPs equal hand counts and only executed modules count") {
  Tiny tiny;
  FlopsEstimator estimator;
  auto costs = estimator.estimate(tiny, {1, 1, 8, 8});
  // conv: 4*8*8 outputs x 9 MACs + 256 bias = 2560; BN: 2 x 256 = 512; fc: 3 x 4 + 3 = 15.
  CHECK(costs["flops"] == 2560 + 512 + 15);
  // conv 36+4, bn 8, fc 15; `extra` did not run.
  CHECK(costs["params"] == 40 + 8 + 15);

  tiny.use_extra = true;
  costs = estimator.estimate(tiny, {1, 1, 8, 8});
  CHECK(costs["flops"] == 2560 + 512 + 256 * 4 + 15);
  CHECK(costs["params"] == 40 + 8 + 16 + 15);
  // Batch size scales FLOPs, not parameters.
  CHECK(estimator.estimate(tiny, {2, 1, 8, 8})["flops"] == 2 * (2560 + 512 + 1024 + 15));

  // Mode and requires_grad are restored.
  tiny.train();
  tiny.fc->weight.requires_grad_(false);
  estimator.estimate(tiny, {1, 1, 8, 8});
  CHECK(tiny.is_training());
  CHECK_FALSE(tiny.fc->weight.requires_grad());

  // ResNet on 8x8: every conv is MACs = out_elems x in x k x k, BN 2 x out_elems.
  //   stem 16x8x8 out: 1024x9 + 2048;  stage1: 2 x (1024x144 + 2048)
  //   stage2 (4x4, 32 ch = 512 out): 512x144 + 1024, 512x288 + 1024, shortcut 512x16 + 1024
  //   stage3 (2x2, 64 ch = 256 out): 256x288 + 512, 256x576 + 512, shortcut 256x32 + 512
  //   fc: 640 + 10
  ResNet resnet;
  const double expected = (9216 + 2048) + 2 * (147456 + 2048) + (73728 + 1024) + (147456 + 1024) + (8192 + 1024) +
                          (73728 + 512) + (147456 + 512) + (8192 + 512) + 650;
  auto r = estimator.estimate(*resnet, {1, 1, 8, 8});
  CHECK(r["flops"] == expected);
  CHECK(r["params"] == count_params(*resnet));
}

TEST_CASE("zoo networks train") {
  at::manual_seed(0);
  ShuffleNetV2 net;
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  at::Tensor x = at::randn({16, 1, 8, 8});
  at::Tensor y = at::arange(16, at::kLong) % 10;
  double first = 0, last = 0;
  for (int i = 0; i < 20; ++i) {
    opt.zero_grad();
    at::Tensor loss = at::cross_entropy_loss(net->forward(x), y);
    loss.backward();
    opt.step();
    (i == 0 ? first : last) = loss.item<double>();
  }
  CHECK(last < first);
}

TEST_CASE("options come from the config and bad values name the key") {
  MapView cfg;
  cfg.ints = {{"in_channels", 3}, {"num_classes", 5}, {"stem_channels", 8}, {"expand_ratio", 2}, {"last_channels", 32}};
  cfg.lists = {{"widths", {8, 16}}, {"blocks", {2, 1}}, {"repeats", {1, 1}}, {"strides", {1, 2}}};
  auto o = resnet_options(cfg);
  CHECK(o.in_channels() == 3);
  CHECK(o.blocks() == std::vector<std::int64_t>{2, 1});
  CHECK(ResNet(o)->forward(at::randn({1, 3, 8, 8})).size(1) == 5);

  cfg.lists["blocks"] = {2};
  try {
    resnet_options(cfg);
    FAIL("mismatched lengths accepted");
  } catch (const razor::ConfigError& e) {
    CHECK(std::string(e.what()) == "t.toml:1:1: model.blocks: needs one value per stage (2 widths), got 1");
  }
  cfg.lists["widths"] = {8, 15};
  CHECK_THROWS_WITH_AS(shufflenet_v2_options(cfg),
                       "t.toml:1:1: model.widths: values must be even (units split channels in halves)",
                       razor::ConfigError);
}
