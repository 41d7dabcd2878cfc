// Channel-dependency analysis (razor/channel_units.h) on the zoo's networks and on hand-written ones:
// every unit and barrier exactly, the model untouched afterwards.
#include <algorithm>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "mobilenet_v2.h"
#include "razor/channel_units.h"
#include "razor/errors.h"
#include "razor_doctest.hpp"
#include "resnet.h"
#include "shufflenet_v2.h"

using namespace razor::models;

namespace {

// "module role start-end"
std::string render(const razor::ChannelSlice& s) {
  return s.module + " " + razor::to_string(s.role) + " " + std::to_string(s.start) + "-" + std::to_string(s.end);
}

std::string render(const std::vector<razor::ChannelSlice>& slices) {
  std::string out;
  for (const auto& s : slices) out += (out.empty() ? "" : ", ") + render(s);
  return out;
}

// One line per unit, "name: channels | output-related | input-related [| not prunable: why]", then one
// per barrier.
std::vector<std::string> render(const razor::ChannelAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& u : a.units) {
    CHECK(u.prunable == u.why_not.empty());
    out.push_back(u.name + ": " + std::to_string(u.channels) + " | " + render(u.output_related) + " | " +
                  render(u.input_related) + (u.prunable ? "" : " | not prunable: " + u.why_not));
  }
  for (const auto& b : a.barriers) out.push_back("barrier: " + b);
  return out;
}

void check_lines(const std::vector<std::string>& actual, const std::vector<std::string>& expected) {
  CHECK(actual.size() == expected.size());
  for (std::size_t i = 0; i < std::max(actual.size(), expected.size()); ++i) {
    CAPTURE(i);
    CHECK((i < actual.size() ? actual[i] : "(none)") == (i < expected.size() ? expected[i] : "(none)"));
  }
}

at::Tensor pool(const at::Tensor& x) { return at::adaptive_avg_pool2d(x, {1, 1}).flatten(1); }

torch::nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t k = 1, std::int64_t groups = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).padding(k / 2).groups(groups).bias(false));
}

// conv -> BN -> ReLU -> max-pool -> conv -> BN -> ReLU -> flip of the channels -> conv -> BN -> ReLU -> pool -> fc.
struct FlipNet final : razor::Model {
  FlipNet()
      : c1(register_module("c1", conv(3, 8, 3))), b1(register_module("b1", torch::nn::BatchNorm2d(8))),
        c2(register_module("c2", conv(8, 8, 3))), b2(register_module("b2", torch::nn::BatchNorm2d(8))),
        c3(register_module("c3", conv(8, 6))), b3(register_module("b3", torch::nn::BatchNorm2d(6))),
        fc(register_module("fc", torch::nn::Linear(6, 4))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = at::relu(b2(c2(at::max_pool2d(at::relu(b1(c1(x))), {2, 2}))));
    return fc(pool(at::relu(b3(c3(at::flip(y, {1}))))));
  }
  torch::nn::Conv2d c1;
  torch::nn::BatchNorm2d b1;
  torch::nn::Conv2d c2;
  torch::nn::BatchNorm2d b2;
  torch::nn::Conv2d c3;
  torch::nn::BatchNorm2d b3;
  torch::nn::Linear fc;
};

// cat(a(x), b(x)) -> c -> chunk(2): the first half passes, the second goes through d -> cat -> e ->
// 2x2 pooling flattened into fc (each channel 4 features).
struct CatSplitNet final : razor::Model {
  CatSplitNet()
      : a(register_module("a", conv(3, 4))), bn_a(register_module("bn_a", torch::nn::BatchNorm2d(4))),
        b(register_module("b", conv(3, 6))), bn_b(register_module("bn_b", torch::nn::BatchNorm2d(6))),
        c(register_module("c", conv(10, 8))), bn_c(register_module("bn_c", torch::nn::BatchNorm2d(8))),
        d(register_module("d", conv(4, 4, 3))), bn_d(register_module("bn_d", torch::nn::BatchNorm2d(4))),
        e(register_module("e", conv(8, 8))), bn_e(register_module("bn_e", torch::nn::BatchNorm2d(8))),
        fc(register_module("fc", torch::nn::Linear(8 * 4, 3))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = at::relu(at::cat({bn_a(a(x)), bn_b(b(x))}, 1));
    auto halves = at::relu(bn_c(c(y))).chunk(2, 1);
    at::Tensor z = at::relu(bn_e(e(at::cat({halves[0], at::relu(bn_d(d(halves[1])))}, 1))));
    return fc(at::adaptive_avg_pool2d(z, {2, 2}).flatten(1));
  }
  torch::nn::Conv2d a;
  torch::nn::BatchNorm2d bn_a;
  torch::nn::Conv2d b;
  torch::nn::BatchNorm2d bn_b;
  torch::nn::Conv2d c;
  torch::nn::BatchNorm2d bn_c;
  torch::nn::Conv2d d;
  torch::nn::BatchNorm2d bn_d;
  torch::nn::Conv2d e;
  torch::nn::BatchNorm2d bn_e;
  torch::nn::Linear fc;
};

// conv -> BN, gated by a squeeze-excitation branch (pool -> 1x1 -> ReLU -> 1x1 -> sigmoid), optionally
// scaled by a per-channel parameter, -> pool -> fc.
struct GateNet final : razor::Model {
  GateNet()
      : c(register_module("c", conv(3, 8))), bn(register_module("bn", torch::nn::BatchNorm2d(8))),
        squeeze(register_module("squeeze", conv(8, 2))), excite(register_module("excite", conv(2, 8))),
        fc(register_module("fc", torch::nn::Linear(8, 3))),
        scale(register_parameter("scale", at::ones({1, 8, 1, 1}))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = bn(c(x));
    y = y * at::sigmoid(excite(at::relu(squeeze(at::adaptive_avg_pool2d(y, {1, 1})))));
    return fc(pool(scaled ? y * scale : y));
  }
  torch::nn::Conv2d c;
  torch::nn::BatchNorm2d bn;
  torch::nn::Conv2d squeeze, excite;
  torch::nn::Linear fc;
  at::Tensor scale;
  bool scaled = false;
};

// conv -> BN -> grouped conv (groups=2) -> BN -> pool -> fc.
struct GroupNet final : razor::Model {
  GroupNet()
      : c(register_module("c", conv(3, 8))), bn_c(register_module("bn_c", torch::nn::BatchNorm2d(8))),
        g(register_module("g", conv(8, 8, 3, 2))), bn_g(register_module("bn_g", torch::nn::BatchNorm2d(8))),
        fc(register_module("fc", torch::nn::Linear(8, 3))) {}
  at::Tensor forward(const at::Tensor& x) override {
    return fc(pool(at::relu(bn_g(g(at::relu(bn_c(c(x))))))));
  }
  torch::nn::Conv2d c;
  torch::nn::BatchNorm2d bn_c;
  torch::nn::Conv2d g;
  torch::nn::BatchNorm2d bn_g;
  torch::nn::Linear fc;
};

// conv -> BN, then `extra` (4 -> 4) run `runs` times, `relus` ReLUs, pool -> fc.
struct RepeatNet final : razor::Model {
  RepeatNet()
      : c(register_module("c", conv(1, 4, 3))), bn(register_module("bn", torch::nn::BatchNorm2d(4))),
        extra(register_module("extra", conv(4, 4))), fc(register_module("fc", torch::nn::Linear(4, 2))) {}
  at::Tensor forward(const at::Tensor& x) override {
    at::Tensor y = bn(c(x));
    for (int i = 0; i < runs; ++i) y = extra(y);
    for (int i = 0; i < relus; ++i) y = at::relu(y);
    return fc(pool(y));
  }
  torch::nn::Conv2d c;
  torch::nn::BatchNorm2d bn;
  torch::nn::Conv2d extra;
  torch::nn::Linear fc;
  int runs = 0, relus = 0;
};

}  // namespace

TEST_CASE("channel units: ResNet's residual partners and projection shortcuts share one unit") {
  ResNet net(ResNetOptions().stem_channels(8).widths({8, 16, 32}).blocks({1, 1, 1}));
  check_lines(render(razor::analyse_channels(*net, at::randn({1, 1, 8, 8}))), {
      // The stem's output is the first stage's identity shortcut: its block's output and the next
      // stage's inputs (conv1 and the projection) carry the same channels.
      "stem.conv_(0, 8)_8: 8 | stem.conv conv_out 0-8, stem.bn bn 0-8, stages.0.conv2.conv conv_out 0-8, "
      "stages.0.conv2.bn bn 0-8 | stages.0.conv1.conv conv_in 0-8, stages.1.conv1.conv conv_in 0-8, "
      "stages.1.shortcut.conv conv_in 0-8",
      "stem.conv_(0, 1)_1_in: 1 |  | stem.conv conv_in 0-1 | not prunable: network input",
      "stages.0.conv1.conv_(0, 8)_8: 8 | stages.0.conv1.conv conv_out 0-8, stages.0.conv1.bn bn 0-8 | "
      "stages.0.conv2.conv conv_in 0-8",
      "stages.1.conv1.conv_(0, 16)_16: 16 | stages.1.conv1.conv conv_out 0-16, stages.1.conv1.bn bn 0-16 | "
      "stages.1.conv2.conv conv_in 0-16",
      // A projection shortcut joins its block's output.
      "stages.1.conv2.conv_(0, 16)_16: 16 | stages.1.conv2.conv conv_out 0-16, stages.1.conv2.bn bn 0-16, "
      "stages.1.shortcut.conv conv_out 0-16, stages.1.shortcut.bn bn 0-16 | stages.2.conv1.conv conv_in 0-16, "
      "stages.2.shortcut.conv conv_in 0-16",
      "stages.2.conv1.conv_(0, 32)_32: 32 | stages.2.conv1.conv conv_out 0-32, stages.2.conv1.bn bn 0-32 | "
      "stages.2.conv2.conv conv_in 0-32",
      // The last stage's output reaches fc through the global pool.
      "stages.2.conv2.conv_(0, 32)_32: 32 | stages.2.conv2.conv conv_out 0-32, stages.2.conv2.bn bn 0-32, "
      "stages.2.shortcut.conv conv_out 0-32, stages.2.shortcut.bn bn 0-32 | fc linear_in 0-32",
      "fc_(0, 10)_10: 10 | fc linear_out 0-10 |  | not prunable: network output",
  });
}

TEST_CASE("channel units: MobileNetV2's expansion, depthwise and projection input are one unit") {
  // Stage 0 has no expansion (ratio 1) and a residual; stage 1 strides; stage 2 has a residual again.
  MobileNetV2 net(MobileNetV2Options()
                      .stem_channels(8)
                      .widths({8, 12, 12})
                      .repeats({1, 1, 1})
                      .strides({1, 2, 1})
                      .expand_ratio(2)
                      .last_channels(16));
  check_lines(render(razor::analyse_channels(*net, at::randn({1, 1, 8, 8}))), {
      "stem.conv_(0, 8)_8: 8 | stem.conv conv_out 0-8, stem.bn bn 0-8, stages.0.depthwise.conv depthwise 0-8, "
      "stages.0.depthwise.bn bn 0-8, stages.0.project.conv conv_out 0-8, stages.0.project.bn bn 0-8 | "
      "stages.0.depthwise.conv depthwise 0-8, stages.0.project.conv conv_in 0-8, stages.1.expand.conv conv_in 0-8",
      "stem.conv_(0, 1)_1_in: 1 |  | stem.conv conv_in 0-1 | not prunable: network input",
      "stages.1.expand.conv_(0, 16)_16: 16 | stages.1.expand.conv conv_out 0-16, stages.1.expand.bn bn 0-16, "
      "stages.1.depthwise.conv depthwise 0-16, stages.1.depthwise.bn bn 0-16 | "
      "stages.1.depthwise.conv depthwise 0-16, stages.1.project.conv conv_in 0-16",
      "stages.1.project.conv_(0, 12)_12: 12 | stages.1.project.conv conv_out 0-12, stages.1.project.bn bn 0-12, "
      "stages.2.project.conv conv_out 0-12, stages.2.project.bn bn 0-12 | stages.2.expand.conv conv_in 0-12, "
      "last.conv conv_in 0-12",
      "stages.2.expand.conv_(0, 24)_24: 24 | stages.2.expand.conv conv_out 0-24, stages.2.expand.bn bn 0-24, "
      "stages.2.depthwise.conv depthwise 0-24, stages.2.depthwise.bn bn 0-24 | "
      "stages.2.depthwise.conv depthwise 0-24, stages.2.project.conv conv_in 0-24",
      "last.conv_(0, 16)_16: 16 | last.conv conv_out 0-16, last.bn bn 0-16 | fc linear_in 0-16",
      "fc_(0, 10)_10: 10 | fc linear_out 0-10 |  | not prunable: network output",
  });
}

TEST_CASE("channel units: ShuffleNetV2's channel splits are pinned and its shuffles are barriers") {
  // stages.0 and .1 split 8 channels, stages.2 (stride 2, 8 -> 16) has a shortcut, stages.3 splits 16.
  ShuffleNetV2 net(
      ShuffleNetV2Options().stem_channels(8).widths({8, 16}).repeats({2, 2}).strides({1, 2}).last_channels(16));
  const std::string split = "not prunable: sliced on the channel dim by 'SplitBackward0' (the forward fixes the "
                            "slice sizes)";
  const auto before = [](int stage) {
    return "not prunable: before barrier 'ViewBackward0' (after 'stages." + std::to_string(stage) + ".branch.2.bn')";
  };
  const auto after = [](int stage) {
    return "not prunable: after barrier 'ViewBackward0' (after 'stages." + std::to_string(stage) + ".branch.2.bn')";
  };
  check_lines(render(razor::analyse_channels(*net, at::randn({1, 1, 8, 8}))), {
      // The stem's output is split in halves: the first goes to the shuffle, the second to the branch.
      "stem.conv_(0, 4)_4: 4 | stem.conv conv_out 0-4, stem.bn bn 0-4 |  | " + split,
      "stem.conv_(4, 8)_4: 4 | stem.conv conv_out 4-8, stem.bn bn 4-8 | stages.0.branch.0.conv conv_in 0-4 | " +
          split,
      "stem.conv_(0, 1)_1_in: 1 |  | stem.conv conv_in 0-1 | not prunable: network input",
      // Inside a branch (1x1 -> depthwise -> 1x1) the channels are free.
      "stages.0.branch.0.conv_(0, 4)_4: 4 | stages.0.branch.0.conv conv_out 0-4, stages.0.branch.0.bn bn 0-4, "
      "stages.0.branch.1.conv depthwise 0-4, stages.0.branch.1.bn bn 0-4 | stages.0.branch.1.conv depthwise 0-4, "
      "stages.0.branch.2.conv conv_in 0-4",
      "stages.0.branch.2.conv_(0, 4)_4: 4 | stages.0.branch.2.conv conv_out 0-4, stages.0.branch.2.bn bn 0-4 |  | " +
          before(0),
      "stages.1.branch.0.conv_(0, 4)_4: 4 | stages.1.branch.0.conv conv_out 0-4, stages.1.branch.0.bn bn 0-4, "
      "stages.1.branch.1.conv depthwise 0-4, stages.1.branch.1.bn bn 0-4 | stages.1.branch.1.conv depthwise 0-4, "
      "stages.1.branch.2.conv conv_in 0-4",
      "stages.1.branch.0.conv_(0, 4)_4_in: 4 |  | stages.1.branch.0.conv conv_in 0-4 | " + after(0),
      "stages.1.branch.2.conv_(0, 4)_4: 4 | stages.1.branch.2.conv conv_out 0-4, stages.1.branch.2.bn bn 0-4 |  | " +
          before(1),
      "stages.2.branch.0.conv_(0, 8)_8: 8 | stages.2.branch.0.conv conv_out 0-8, stages.2.branch.0.bn bn 0-8, "
      "stages.2.branch.1.conv depthwise 0-8, stages.2.branch.1.bn bn 0-8 | stages.2.branch.1.conv depthwise 0-8, "
      "stages.2.branch.2.conv conv_in 0-8",
      "stages.2.branch.2.conv_(0, 8)_8: 8 | stages.2.branch.2.conv conv_out 0-8, stages.2.branch.2.bn bn 0-8 |  | " +
          before(2),
      "stages.2.shortcut.0.conv_(0, 8)_8: 8 | stages.2.shortcut.0.conv depthwise 0-8, stages.2.shortcut.0.bn bn 0-8 | "
      "stages.2.branch.0.conv conv_in 0-8, stages.2.shortcut.0.conv depthwise 0-8, "
      "stages.2.shortcut.1.conv conv_in 0-8 | " +
          after(1),
      "stages.2.shortcut.1.conv_(0, 8)_8: 8 | stages.2.shortcut.1.conv conv_out 0-8, stages.2.shortcut.1.bn bn 0-8 "
      "|  | " +
          before(2),
      "stages.3.branch.0.conv_(0, 8)_8: 8 | stages.3.branch.0.conv conv_out 0-8, stages.3.branch.0.bn bn 0-8, "
      "stages.3.branch.1.conv depthwise 0-8, stages.3.branch.1.bn bn 0-8 | stages.3.branch.1.conv depthwise 0-8, "
      "stages.3.branch.2.conv conv_in 0-8",
      "stages.3.branch.0.conv_(0, 8)_8_in: 8 |  | stages.3.branch.0.conv conv_in 0-8 | " + after(2),
      "stages.3.branch.2.conv_(0, 8)_8: 8 | stages.3.branch.2.conv conv_out 0-8, stages.3.branch.2.bn bn 0-8 |  | " +
          before(3),
      "last.conv_(0, 16)_16: 16 | last.conv conv_out 0-16, last.bn bn 0-16 | fc linear_in 0-16",
      "last.conv_(0, 16)_16_in: 16 |  | last.conv conv_in 0-16 | " + after(3),
      "fc_(0, 10)_10: 10 | fc linear_out 0-10 |  | not prunable: network output",
      // Each shuffle (view -> transpose -> reshape) is one barrier.
      "barrier: ViewBackward0 after 'stages.0.branch.2.bn' (then TransposeBackward0, UnsafeViewBackward0)",
      "barrier: ViewBackward0 after 'stages.1.branch.2.bn' (then TransposeBackward0, UnsafeViewBackward0)",
      "barrier: ViewBackward0 after 'stages.2.branch.2.bn' (then TransposeBackward0, UnsafeViewBackward0)",
      "barrier: ViewBackward0 after 'stages.3.branch.2.bn' (then TransposeBackward0, UnsafeViewBackward0)",
  });
}

TEST_CASE("channel units: an unknown op is a barrier, the rest of the model is still analysed") {
  FlipNet net;
  check_lines(render(razor::analyse_channels(net, at::randn({1, 3, 6, 6}))), {
      "c1_(0, 8)_8: 8 | c1 conv_out 0-8, b1 bn 0-8 | c2 conv_in 0-8",
      "c1_(0, 3)_3_in: 3 |  | c1 conv_in 0-3 | not prunable: network input",
      "c2_(0, 8)_8: 8 | c2 conv_out 0-8, b2 bn 0-8 |  | not prunable: before barrier 'FlipBackward0' (after 'b2')",
      "c3_(0, 6)_6: 6 | c3 conv_out 0-6, b3 bn 0-6 | fc linear_in 0-6",
      "c3_(0, 8)_8_in: 8 |  | c3 conv_in 0-8 | not prunable: after barrier 'FlipBackward0' (after 'b2')",
      "fc_(0, 4)_4: 4 | fc linear_out 0-4 |  | not prunable: network output",
      "barrier: FlipBackward0 after 'b2'",
  });
}

TEST_CASE("channel units: concatenation offsets, a channel split and a flatten into a Linear") {
  CatSplitNet net;
  const std::string split = "not prunable: sliced on the channel dim by 'SplitBackward0' (the forward fixes the "
                            "slice sizes)";
  check_lines(render(razor::analyse_channels(net, at::randn({1, 3, 4, 4}))), {
      // One unit per concatenated producer, at its offset in the consumer's input.
      "a_(0, 4)_4: 4 | a conv_out 0-4, bn_a bn 0-4 | c conv_in 0-4",
      "a_(0, 3)_3_in: 3 |  | a conv_in 0-3, b conv_in 0-3 | not prunable: network input",
      "b_(0, 6)_6: 6 | b conv_out 0-6, bn_b bn 0-6 | c conv_in 4-10",
      // chunk(2): each half is a unit of its own, pinned (pruning one half would move the split point).
      "c_(0, 4)_4: 4 | c conv_out 0-4, bn_c bn 0-4 | e conv_in 0-4 | " + split,
      "c_(4, 8)_4: 4 | c conv_out 4-8, bn_c bn 4-8 | d conv_in 0-4 | " + split,
      "d_(0, 4)_4: 4 | d conv_out 0-4, bn_d bn 0-4 | e conv_in 4-8",
      // [N, 8, 2, 2] flattened: each channel is 4 consecutive input features of fc.
      "e_(0, 8)_8: 8 | e conv_out 0-8, bn_e bn 0-8 | fc linear_in 0-32",
      "fc_(0, 3)_3: 3 | fc linear_out 0-3 |  | not prunable: network output",
  });
}

TEST_CASE("channel units: a sigmoid gate ties its producer to the gated channels; a channel-wise parameter pins") {
  GateNet net;
  check_lines(render(razor::analyse_channels(net, at::randn({1, 3, 4, 4}))), {
      "c_(0, 8)_8: 8 | c conv_out 0-8, bn bn 0-8, excite conv_out 0-8 | squeeze conv_in 0-8, fc linear_in 0-8",
      "c_(0, 3)_3_in: 3 |  | c conv_in 0-3 | not prunable: network input",
      "squeeze_(0, 2)_2: 2 | squeeze conv_out 0-2 | excite conv_in 0-2",
      "fc_(0, 3)_3: 3 | fc linear_out 0-3 |  | not prunable: network output",
  });
  net.scaled = true;  // y * scale: the analysis does not slice parameters used as tensors
  check_lines(render(razor::analyse_channels(net, at::randn({1, 3, 4, 4}))), {
      "c_(0, 8)_8: 8 | c conv_out 0-8, bn bn 0-8, excite conv_out 0-8 | squeeze conv_in 0-8, fc linear_in 0-8 | "
      "not prunable: combined with 'scale' in MulBackward0",
      "c_(0, 3)_3_in: 3 |  | c conv_in 0-3 | not prunable: network input",
      "squeeze_(0, 2)_2: 2 | squeeze conv_out 0-2 | excite conv_in 0-2",
      "fc_(0, 3)_3: 3 | fc linear_out 0-3 |  | not prunable: network output",
  });
}

TEST_CASE("channel units: a grouped convolution pins its input and output channels") {
  GroupNet net;
  check_lines(render(razor::analyse_channels(net, at::randn({1, 3, 4, 4}))), {
      "c_(0, 8)_8: 8 | c conv_out 0-8, bn_c bn 0-8 | g conv_in 0-8 | not prunable: grouped conv 'g' (groups=2)",
      "c_(0, 3)_3_in: 3 |  | c conv_in 0-3 | not prunable: network input",
      "g_(0, 8)_8: 8 | g conv_out 0-8, bn_g bn 0-8 | fc linear_in 0-8 | not prunable: grouped conv 'g' (groups=2)",
      "fc_(0, 3)_3: 3 | fc linear_out 0-3 |  | not prunable: network output",
  });
}

TEST_CASE("channel units: a module run twice has one mask; a deep graph is walked without recursion") {
  RepeatNet net;
  const std::vector<std::string> once = {
      "c_(0, 4)_4: 4 | c conv_out 0-4, bn bn 0-4 | extra conv_in 0-4",
      "c_(0, 1)_1_in: 1 |  | c conv_in 0-1 | not prunable: network input",
      "extra_(0, 4)_4: 4 | extra conv_out 0-4 | fc linear_in 0-4",
      "fc_(0, 2)_2: 2 | fc linear_out 0-2 |  | not prunable: network output",
  };
  net.runs = 1;
  check_lines(render(razor::analyse_channels(net, at::randn({1, 1, 4, 4}))), once);

  // Run twice, `extra` reads its own output: its input and output channels are one unit.
  net.runs = 2;
  check_lines(render(razor::analyse_channels(net, at::randn({1, 1, 4, 4}))), {
      "c_(0, 4)_4: 4 | c conv_out 0-4, bn bn 0-4, extra conv_out 0-4 | extra conv_in 0-4, fc linear_in 0-4",
      "c_(0, 1)_1_in: 1 |  | c conv_in 0-1 | not prunable: network input",
      "fc_(0, 2)_2: 2 | fc linear_out 0-2 |  | not prunable: network output",
  });

  net.runs = 1;
  net.relus = 50000;  // 50,000 nodes in a chain
  check_lines(render(razor::analyse_channels(net, at::randn({1, 1, 2, 2}))), once);
}

TEST_CASE("channel units: the model is left as it was") {
  ResNet net(ResNetOptions().stem_channels(8).widths({8, 16}).blocks({1, 1}).strides({1, 2}));
  for (const auto& b : net->named_buffers()) {
    if (b.value().is_floating_point()) b.value().uniform_(0.5, 1.5);  // statistics BN would move in training
  }
  net->train();
  net->stem->bn->eval();  // one module with a flag of its own
  net->fc->weight.requires_grad_(false);
  std::vector<at::Tensor> before;
  for (const auto& t : net->parameters()) before.push_back(t.clone());
  for (const auto& t : net->buffers()) before.push_back(t.clone());

  const auto analysis = razor::analyse_channels(*net, at::randn({2, 1, 8, 8}));
  CHECK(analysis.units.size() == 6);

  CHECK(net->is_training());
  for (const auto& m : net->named_modules("", false)) {
    CAPTURE(m.key());
    CHECK(m.value()->is_training() == (m.key() != "stem.bn"));
  }
  std::size_t i = 0;
  for (const auto& t : net->parameters()) {
    CHECK(t.equal(before[i++]));
    CHECK_FALSE(t.grad().defined());
  }
  for (const auto& t : net->buffers()) CHECK(t.equal(before[i++]));
  CHECK_FALSE(net->fc->weight.requires_grad());
  CHECK(net->fc->bias.requires_grad());

  net->eval();
  razor::analyse_channels(*net, at::randn({1, 1, 8, 8}));
  CHECK_FALSE(net->is_training());
  for (const auto& m : net->modules()) CHECK_FALSE(m->is_training());
}

TEST_CASE("channel units: a failing forward is a razor::Error; an output without a graph is reported") {
  GroupNet net;
  CHECK_THROWS_AS(razor::analyse_channels(net, at::randn({1, 5, 4, 4})), razor::Error);  // 5 channels, not 3
  CHECK(net.is_training());

  struct Constant final : razor::Model {
    at::Tensor forward(const at::Tensor& x) override { return at::zeros({x.size(0), 3}); }
  } constant;
  const auto analysis = razor::analyse_channels(constant, at::randn({1, 3, 4, 4}));
  CHECK(analysis.units.empty());
  check_lines(analysis.barriers,
              {"the output has no autograd graph (it does not depend on the input through differentiable ops)"});
}
