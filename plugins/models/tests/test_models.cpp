// Zoo networks and the FLOPs estimator: shapes, hand-counted parameters and FLOPs, only executed
// modules counted, training works, the registered factories read their declared options.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "flops_estimator.h"
#include "mobilenet_v2.h"
#include "razor/abi.h"
#include "razor/errors.h"
#include "razor/plugin.h"
#include "razor_doctest.hpp"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "spos_shufflenet.h"
#include "mlp.h"
#include "models_test_support.hpp"

using namespace razor::models;
using razor::estimators::FlopsEstimator;
using razor::models::test::build;

namespace {

double count_params(torch::nn::Module& m) {
  double n = 0;
  for (const auto& p : m.parameters()) n += static_cast<double>(p.numel());
  return n;
}

// "name shape" of every parameter, to compare two networks' structure.
std::vector<std::string> layout(torch::nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters()) {
    std::ostringstream s;
    s << p.key() << ' ' << p.value().sizes();
    out.push_back(s.str());
  }
  return out;
}

// conv3x3(1->4, bias) -> BN(4) -> ReLU -> [extra 1x1 conv, `extra_runs` times] -> global pool -> Linear(4->3).
struct Tiny final : razor::Model {
  Tiny()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)))),
        bn(register_module("bn", torch::nn::BatchNorm2d(4))),
        extra(register_module("extra", torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 4, 1).bias(false)))),
        fc(register_module("fc", torch::nn::Linear(4, 3))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = at::relu(bn->forward(conv->forward(x)));
    for (int i = 0; i < extra_runs; ++i) y = extra->forward(y);
    return fc->forward(at::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
  }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
  torch::nn::Conv2d extra;
  torch::nn::Linear fc;
  int extra_runs = 0;
};

// A weight-sharing supernet in miniature: the first `width` filters of an 8-filter conv (no bias),
// then the matching `width` input features of a Linear(8->3).
struct Sliced final : razor::Model {
  Sliced()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 8, 3).padding(1).bias(false)))),
        fc(register_module("fc", torch::nn::Linear(8, 3))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = at::relu(at::conv2d(x, conv->weight.slice(0, 0, width), {}, {1, 1}, {1, 1}));
    return at::linear(at::adaptive_avg_pool2d(y, {1, 1}).flatten(1), fc->weight.slice(1, 0, width), fc->bias);
  }
  torch::nn::Conv2d conv;
  torch::nn::Linear fc;
  std::int64_t width = 8;
};

double loss_of(razor::Model& net, const at::Tensor& x, const at::Tensor& y) {
  return at::cross_entropy_loss(net.forward(x), y).item<double>();
}

}  // namespace

TEST_CASE("zoo networks fit digits, Fashion-MNIST and CIFAR shapes") {
  for (auto shape : {std::vector<std::int64_t>{2, 1, 8, 8}, {2, 1, 28, 28}, {2, 3, 32, 32}}) {
    CAPTURE(shape);
    const auto c = shape[1];
    ResNet resnet(ResNetOptions().in_channels(c));
    MobileNetV2 mobilenet(MobileNetV2Options().in_channels(c));
    ShuffleNetV2 shufflenet(ShuffleNetV2Options().in_channels(c).num_classes(7));
    at::Tensor x = at::randn(shape);
    CHECK(resnet->forward(x).sizes() == at::IntArrayRef({2, 10}));
    CHECK(mobilenet->forward(x).sizes() == at::IntArrayRef({2, 10}));
    CHECK(shufflenet->forward(x).sizes() == at::IntArrayRef({2, 7}));
  }
  CHECK(shuffle_channels(at::arange(4.0).view({1, 4, 1, 1}), 2).flatten().equal(at::tensor({0.0, 2.0, 1.0, 3.0})));

  // The defaults are small digits-sized networks (hand-checkable with the counts in the next test case).
  CHECK(count_params(*ResNet()) == 77754);
  CHECK(count_params(*MobileNetV2()) == 32234);
  CHECK(count_params(*ShuffleNetV2()) == 67722);
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
  // Two stages, expansion 2 in the second: block 8->12 s2: expand 1x1 8->16 (128+32), dw 3x3 (144+32),
  // project 16->12 (192+24); last 12->16 (192+32).
  MobileNetV2 mobilenet2(
      MobileNetV2Options().stem_channels(8).widths({8, 12}).repeats({1, 1}).strides({1, 2}).expand_ratio(2).last_channels(16));
  CHECK(count_params(*mobilenet2) == 88 + 88 + 80 + 160 + 176 + 216 + 224 + 170);

  // ShuffleNetV2, one stage 8->8 with one split unit: branch 4->4 1x1 (16+8), dw 3x3 (36+8), 1x1 (16+8).
  ShuffleNetV2 shufflenet(ShuffleNetV2Options().stem_channels(8).widths({8}).repeats({1}).strides({1}).last_channels(16));
  CHECK(count_params(*shufflenet) == 88 + 24 + 44 + 24 + 160 + 170);
  // A stride-2 unit 8->12: branch 8->6 1x1 (48+12), dw 3x3 6 (54+12), 1x1 6->6 (36+12);
  // shortcut dw 3x3 8 (72+16), 1x1 8->6 (48+12); last 12->16 (192+32).
  ShuffleNetV2 shufflenet2(ShuffleNetV2Options().stem_channels(8).widths({12}).repeats({1}).strides({2}).last_channels(16));
  CHECK(count_params(*shufflenet2) == 88 + 60 + 66 + 48 + 88 + 60 + 224 + 170);
}

TEST_CASE("FLOPs equal hand counts and only executed modules count") {
  FlopsEstimator estimator;

  SUBCASE("a hand-written network, skipped and repeated branches") {
    Tiny tiny;
    auto costs = estimator.estimate(tiny, {1, 1, 8, 8});
    // conv: 4*8*8 outputs x 9 MACs + 256 bias = 2560; BN: 2 x 256 = 512; fc: 3 x 4 + 3 = 15.
    CHECK(costs["flops"] == 2560 + 512 + 15);
    // conv 36+4, bn 8, fc 15; `extra` did not run.
    CHECK(costs["params"] == 40 + 8 + 15);

    tiny.extra_runs = 1;  // extra: 256 outputs x 4 MACs, 16 weights
    costs = estimator.estimate(tiny, {1, 1, 8, 8});
    CHECK(costs["flops"] == 2560 + 512 + 1024 + 15);
    CHECK(costs["params"] == 40 + 8 + 16 + 15);
    // Batch size scales FLOPs, not parameters.
    costs = estimator.estimate(tiny, {2, 1, 8, 8});
    CHECK(costs["flops"] == 2 * (2560 + 512 + 1024 + 15));
    CHECK(costs["params"] == 40 + 8 + 16 + 15);

    tiny.extra_runs = 2;  // run twice: its FLOPs twice, its parameters once
    costs = estimator.estimate(tiny, {1, 1, 8, 8});
    CHECK(costs["flops"] == 2560 + 512 + 2 * 1024 + 15);
    CHECK(costs["params"] == 40 + 8 + 16 + 15);

    // The same counts per module, in module order (`razor-host flops`).
    std::vector<std::string> rows;
    for (const auto& l : estimator.estimate_layers(tiny, {1, 1, 8, 8}))
      rows.push_back(fmt::format("{} {} {:.0f} {:.0f}", l.module, l.type, l.costs.at("flops"), l.costs.at("params")));
    CHECK(rows == std::vector<std::string>{"conv Conv2d 2560 40", "bn BatchNorm2d 512 8", "extra Conv2d 2048 16",
                                           "fc Linear 15 15"});

    // Mode and requires_grad are restored; BN statistics untouched; no gradients left behind.
    tiny.train();
    tiny.fc->weight.requires_grad_(false);
    estimator.estimate(tiny, {4, 1, 8, 8});
    CHECK(tiny.is_training());
    CHECK_FALSE(tiny.fc->weight.requires_grad());
    CHECK(tiny.conv->weight.requires_grad());
    CHECK(tiny.bn->running_mean.eq(0).all().item<bool>());
    CHECK(tiny.bn->num_batches_tracked.item<std::int64_t>() == 0);
    CHECK_FALSE(tiny.conv->weight.grad().defined());
    tiny.eval();
    estimator.estimate(tiny, {1, 1, 8, 8});
    CHECK_FALSE(tiny.is_training());
  }

  SUBCASE("a sliced shared weight counts as its slice") {
    Sliced net;
    auto costs = estimator.estimate(net, {1, 1, 8, 8});
    // conv 8 filters: 512 outputs x 9 MACs; fc 3 x 8 + 3. Params 72 + 27.
    CHECK(costs["flops"] == 4608 + 27);
    CHECK(costs["params"] == 72 + 27);
    net.width = 4;  // 256 outputs x 9; fc 3 x 4 + 3. Params 36 + 15.
    costs = estimator.estimate(net, {1, 1, 8, 8});
    CHECK(costs["flops"] == 2304 + 15);
    CHECK(costs["params"] == 36 + 15);
  }

  SUBCASE("ResNet defaults on 8x8") {
    // Every conv is MACs = out_elems x in x k x k, BN 2 x out_elems.
    //   stem 16x8x8 out: 1024x9 + 2048;  stage1: 2 x (1024x144 + 2048)
    //   stage2 (4x4, 32 ch = 512 out): 512x144 + 1024, 512x288 + 1024, shortcut 512x16 + 1024
    //   stage3 (2x2, 64 ch = 256 out): 256x288 + 512, 256x576 + 512, shortcut 256x32 + 512
    //   fc: 640 + 10
    ResNet resnet;
    const double expected = (9216 + 2048) + 2 * (147456 + 2048) + (73728 + 1024) + (147456 + 1024) + (8192 + 1024) +
                            (73728 + 512) + (147456 + 512) + (8192 + 512) + 650;
    CHECK(expected == 774282);
    auto r = estimator.estimate(*resnet, {1, 1, 8, 8});
    CHECK(r["flops"] == expected);
    CHECK(r["params"] == count_params(*resnet));
  }

  SUBCASE("small MobileNetV2 and ShuffleNetV2 on 8x8") {
    // MobileNetV2, one stage 8->8 (t=1): 8 channels x 8x8 = 512 outputs per layer.
    //   stem 512x9 + 1024; depthwise 512x9 + 1024; project 512x8 + 1024; last 16x64 = 1024 outputs
    //   x 8 + 2048; fc 160 + 10.
    MobileNetV2 mobilenet(MobileNetV2Options().stem_channels(8).widths({8}).repeats({1}).strides({1}).last_channels(16));
    auto m = estimator.estimate(*mobilenet, {1, 1, 8, 8});
    CHECK(m["flops"] == (4608 + 1024) + (4608 + 1024) + (4096 + 1024) + (8192 + 2048) + 170);
    CHECK(m["params"] == count_params(*mobilenet));

    // ShuffleNetV2, one split unit 8->8: the branch works on 4 channels = 256 outputs per layer.
    //   stem 4608 + 1024; 1x1 256x4 + 512; dw 256x9 + 512; 1x1 256x4 + 512; last 8192 + 2048; fc 170.
    ShuffleNetV2 shufflenet(ShuffleNetV2Options().stem_channels(8).widths({8}).repeats({1}).strides({1}).last_channels(16));
    auto s = estimator.estimate(*shufflenet, {1, 1, 8, 8});
    CHECK(s["flops"] == (4608 + 1024) + (1024 + 512) + (2304 + 512) + (1024 + 512) + (8192 + 2048) + 170);
    CHECK(s["params"] == count_params(*shufflenet));

    // The defaults: every parameter takes part.
    MobileNetV2 big_m;
    ShuffleNetV2 big_s;
    CHECK(estimator.estimate(*big_m, {1, 1, 8, 8})["params"] == count_params(*big_m));
    CHECK(estimator.estimate(*big_s, {1, 1, 8, 8})["params"] == count_params(*big_s));
  }
}

TEST_CASE("zoo networks train: backward works and one SGD step lowers the loss") {
  at::manual_seed(0);
  const at::Tensor x = at::randn({16, 1, 8, 8});
  const at::Tensor y = at::arange(16, at::kLong) % 10;
  const std::vector<std::pair<const char*, std::shared_ptr<razor::Model>>> nets = {
      {"resnet", ResNet().ptr()}, {"mobilenet_v2", MobileNetV2().ptr()}, {"shufflenet_v2", ShuffleNetV2().ptr()}};
  for (const auto& entry : nets) {
    const char* name = entry.first;
    const auto& net = entry.second;
    CAPTURE(name);
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
    opt.zero_grad();
    at::Tensor loss = at::cross_entropy_loss(net->forward(x), y);
    loss.backward();
    for (const auto& p : net->named_parameters()) {
      CAPTURE(p.key());
      CHECK(p.value().grad().defined());
    }
    opt.step();
    CHECK(loss_of(*net, x, y) < loss.item<double>());
  }
}

TEST_CASE("registered components: descriptor, factories and their options") {
  const auto* d = RAZOR_PLUGIN_ENTRY();
  CHECK(d->abi_version == razor::kSdkAbiVersion);
  CHECK(std::string(d->name) == "models");
  std::set<std::string> keys;
  const std::set<std::string> types = {"int", "float", "bool", "string", "int[]", "float[]", "string[]"};
  for (std::size_t i = 0; i < d->num_components; ++i) {
    const auto& c = d->components[i];
    keys.insert(std::string(c.kind) + "/" + c.name);
    CHECK(std::strlen(c.doc) > 0);
    for (const auto& o : c.options) {
      CAPTURE(o.name);
      CHECK(types.count(o.type) == 1);
      CHECK(o.default_toml != nullptr);
      CHECK(std::strlen(o.doc) > 0);
    }
  }
  CHECK(keys == std::set<std::string>{"model/resnet", "model/mobilenet_v2", "model/shufflenet_v2",
                                     "model/spos_shufflenet", "model/mlp",
                                     // torchvision-compatible (test_torchvision.cpp)
                                     "model/torchvision.resnet18", "model/torchvision.resnet34",
                                     "model/torchvision.resnet50", "model/cifar_resnet20", "model/cifar_resnet56",
                                     "model/torchvision.mobilenet_v2", "model/torchvision.mobilenet_v3_small",
                                     "model/torchvision.mobilenet_v3_large", "model/torchvision.shufflenet_v2_x0_5",
                                     "model/torchvision.shufflenet_v2_x1_0", "model/torchvision.vgg11_bn",
                                     "model/torchvision.vgg16_bn",
                                     // scripted in Python (test_torchscript_model.cpp)
                                     "model/torchscript"});

  SUBCASE("declared defaults build the default networks") {
    CHECK(layout(*build<razor::Model>("model/resnet")) == layout(*ResNet()));
    CHECK(layout(*build<razor::Model>("model/mobilenet_v2")) == layout(*MobileNetV2()));
    CHECK(layout(*build<razor::Model>("model/shufflenet_v2")) == layout(*ShuffleNetV2()));
    CHECK(layout(*build<razor::Model>("model/mlp")) == layout(*Mlp()));
  }

  SUBCASE("factories read their options") {
    auto resnet = build<razor::Model>("model/resnet", {{"in_channels", "3"}, {"num_classes", "5"},
                                                       {"widths", "[8, 16]"}, {"blocks", "[2, 1]"},
                                                       {"strides", "[1, 2]"}, {"stem_channels", "4"}});
    CHECK(layout(*resnet) ==
          layout(*ResNet(ResNetOptions().in_channels(3).num_classes(5).widths({8, 16}).blocks({2, 1}).strides({1, 2}).stem_channels(4))));
    CHECK(resnet->forward(at::randn({2, 3, 32, 32})).sizes() == at::IntArrayRef({2, 5}));

    auto mobilenet = build<razor::Model>(
        "model/mobilenet_v2", {{"widths", "[8, 16]"}, {"repeats", "[1, 2]"}, {"strides", "[2, 2]"},
                               {"expand_ratio", "3"}, {"last_channels", "24"}, {"num_classes", "4"}});
    CHECK(layout(*mobilenet) == layout(*MobileNetV2(MobileNetV2Options().widths({8, 16}).repeats({1, 2}).strides({2, 2})
                                                        .expand_ratio(3).last_channels(24).num_classes(4))));
    CHECK(mobilenet->forward(at::randn({2, 1, 28, 28})).sizes() == at::IntArrayRef({2, 4}));

    auto shufflenet = build<razor::Model>("model/shufflenet_v2", {{"widths", "[16, 32]"}, {"repeats", "[1, 3]"},
                                                                  {"strides", "[1, 2]"}, {"last_channels", "64"}});
    CHECK(layout(*shufflenet) == layout(*ShuffleNetV2(
                                     ShuffleNetV2Options().widths({16, 32}).repeats({1, 3}).strides({1, 2}).last_channels(64))));

    auto mlp = build<razor::Model>("model/mlp", {{"in_features", "12"}, {"hidden", "[5, 4]"}, {"num_classes", "3"}});
    CHECK(layout(*mlp) == layout(*Mlp(MlpOptions().in_features(12).hidden({5, 4}).num_classes(3))));
    CHECK(count_params(*mlp) == (12 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3));
    CHECK(mlp->forward(at::randn({2, 3, 2, 2})).sizes() == at::IntArrayRef({2, 3}));
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/mlp", {{"hidden", "[8, 0]"}}),
                         "t.toml:1:1: model.hidden: values must be positive", razor::ConfigError);

    Tiny tiny;
    CHECK(FlopsEstimator().estimate(tiny, {1, 1, 8, 8}) == razor::Costs{{"flops", 3087}, {"params", 63}});
  }

  SUBCASE("bad values are config errors naming the key") {
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/resnet", {{"blocks", "[1, 1]"}}),
                         "t.toml:1:1: model.blocks: needs one value per stage (3 widths), got 2", razor::ConfigError);
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/resnet", {{"widths", "[]"}, {"blocks", "[]"}, {"strides", "[]"}}),
                         "t.toml:1:1: model.widths: needs at least one stage", razor::ConfigError);
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/resnet", {{"num_classes", "0"}}),
                         "t.toml:1:1: model.num_classes: must be positive", razor::ConfigError);
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/mobilenet_v2", {{"strides", "[1, 0, 2]"}}),
                         "t.toml:1:1: model.strides: values must be positive", razor::ConfigError);
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/mobilenet_v2", {{"expand_ratio", "-1"}}),
                         "t.toml:1:1: model.expand_ratio: must be positive", razor::ConfigError);
    CHECK_THROWS_WITH_AS(build<razor::Model>("model/shufflenet_v2", {{"widths", "[32, 63, 128]"}}),
                         "t.toml:1:1: model.widths: values must be even (units split channels in halves)",
                         razor::ConfigError);
    CHECK_THROWS_AS(build<razor::Model>("model/shufflenet_v2", {{"repeats", "[2, 2]"}}), razor::ConfigError);
  }
}
