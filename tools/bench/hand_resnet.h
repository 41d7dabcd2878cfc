#pragma once
// A ResNet with basic blocks for 1-channel images, as the zoo's resnet builds it, written out in plain
// LibTorch: the benchmarks' hand-written reference.
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace razor::bench {

struct HandResNet : torch::nn::Module {
  struct ConvBn {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
    at::Tensor operator()(const at::Tensor& x) { return bn(conv(x)); }
  };
  struct Block {
    ConvBn conv1, conv2, shortcut;
    bool projection;
  };
  /// One block per stage (stride 1, then 2); `mids` are the blocks' inner widths (default: `widths`).
  HandResNet(int64_t stem, const std::vector<int64_t>& widths, std::vector<int64_t> mids = {}) {
    if (mids.empty()) mids = widths;
    this->stem = layer(1, stem, 3, 1);
    int64_t in = stem;
    for (std::size_t s = 0; s < widths.size(); ++s) {
      const int64_t out = widths[s], stride = s == 0 ? 1 : 2;
      const bool projection = stride != 1 || in != out;
      blocks.push_back({layer(in, mids[s], 3, stride), layer(mids[s], out, 3, 1),
                        projection ? layer(in, out, 1, stride) : ConvBn{}, projection});
      in = out;
    }
    fc = register_module("fc", torch::nn::Linear(in, 10));
  }
  at::Tensor forward(at::Tensor x) {
    x = at::relu(stem(x));
    for (auto& b : blocks) x = at::relu(b.conv2(at::relu(b.conv1(x))) + (b.projection ? b.shortcut(x) : x));
    return fc(at::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
  }

  int layers = 0;
  ConvBn stem;
  std::vector<Block> blocks;
  torch::nn::Linear fc{nullptr};

 private:
  ConvBn layer(int64_t in, int64_t out, int64_t k, int64_t stride) {
    const auto n = std::to_string(layers++);
    return {register_module("c" + n, torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2)
                                                           .bias(false))),
            register_module("b" + n, torch::nn::BatchNorm2d(out))};
  }
};

}  // namespace razor::bench
