// bench_train_step: time per training step of the baseline (ResNet on digits) three ways, in one run:
//   hand   a static LibTorch ResNet written out here, fixed batch: forward, loss, backward, SGD step
//   razor  the same architecture built from configs/core/resnet_digits.toml through the registry
//          and the zoo plugin, driven through Algorithm::train_step, same fixed batch
//   full   razor plus the data path of a real run: seeded batch with augmentation and normalisation,
//          learning-rate schedule
// Prints milliseconds per step (median of rounds) and ratios to `hand`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "bench_config.h"
#include "bench_timing.h"
#include "digits_dataset.h"
#include "razor/algorithm.h"
#include "session/batch_loader.h"
#include "transforms/random_crop.h"

using namespace razor::host;
using namespace razor::core;
using razor::bench::interleaved_median_ms;
namespace nn = torch::nn;

namespace {

// The baseline ResNet (stem 16, stages 16/32/64, one basic block each, strides 1/2/2), by hand.
struct HandResNet : nn::Module {
  nn::Conv2d conv(int64_t i, int64_t o, int64_t k, int64_t s) {
    return nn::Conv2d(nn::Conv2dOptions(i, o, k).stride(s).padding(k / 2).bias(false));
  }
  HandResNet() {
    stem = register_module("stem", conv(1, 16, 3, 1));
    stem_bn = register_module("stem_bn", nn::BatchNorm2d(16));
    const int64_t widths[] = {16, 32, 64}, strides[] = {1, 2, 2};
    int64_t in = 16;
    for (int s = 0; s < 3; ++s) {
      const auto n = std::to_string(s);
      c1.push_back(register_module("c1_" + n, conv(in, widths[s], 3, strides[s])));
      b1.push_back(register_module("b1_" + n, nn::BatchNorm2d(widths[s])));
      c2.push_back(register_module("c2_" + n, conv(widths[s], widths[s], 3, 1)));
      b2.push_back(register_module("b2_" + n, nn::BatchNorm2d(widths[s])));
      if (in != widths[s] || strides[s] != 1) {
        sc.push_back(register_module("sc_" + n, conv(in, widths[s], 1, strides[s])));
        sb.push_back(register_module("sb_" + n, nn::BatchNorm2d(widths[s])));
      } else {
        sc.emplace_back(nullptr);
        sb.emplace_back(nullptr);
      }
      in = widths[s];
    }
    fc = register_module("fc", nn::Linear(64, 10));
  }
  at::Tensor forward(at::Tensor x) {
    x = at::relu(stem_bn(stem(x)));
    for (std::size_t s = 0; s < c1.size(); ++s) {
      at::Tensor id = sc[s] ? sb[s](sc[s](x)) : x;
      x = at::relu(b2[s](c2[s](at::relu(b1[s](c1[s](x))))) + id);
    }
    return fc(at::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
  }
  nn::Conv2d stem{nullptr};
  nn::BatchNorm2d stem_bn{nullptr};
  std::vector<nn::Conv2d> c1, c2, sc;
  std::vector<nn::BatchNorm2d> b1, b2, sb;
  nn::Linear fc{nullptr};
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = razor::bench::set_up_threads(argc, argv);
  auto data = DigitsDataset("").load(razor::Split::train);
  const at::Tensor x = ((data.images.narrow(0, 0, 64) - 0.3) / 0.38).contiguous();
  const at::Tensor y = data.labels.narrow(0, 0, 64);

  HandResNet hand;
  torch::optim::SGD hand_opt(hand.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto hand_step = [&](int) {
    hand_opt.zero_grad();
    at::cross_entropy_loss(hand.forward(x), y).backward();
    hand_opt.step();
  };

  razor::bench::BenchConfig config("configs/core/resnet_digits.toml");
  auto algorithm = config.algorithm();
  torch::optim::SGD opt(algorithm->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto razor_step = [&](int) {
    opt.zero_grad();
    algorithm->train_step({x, y});
    opt.step();
  };
  razor::core::RandomCropOptions crop;
  crop.padding = 1;
  razor::host::LoaderSettings settings;
  settings.pipeline = {std::make_shared<razor::core::RandomCrop>(crop)};
  settings.mean = {0.3};
  settings.std = {0.38};
  BatchLoader loader(data, 64, true, 0, settings);
  auto full_step = [&](int i) {
    for (auto& g : opt.param_groups()) g.options().set_lr(0.05 * (1.0 - i * 1e-4));
    razor::Batch b = loader.batch(i / loader.batches_per_epoch(), i % loader.batches_per_epoch());
    opt.zero_grad();
    algorithm->train_step(b);
    opt.step();
  };

  const int steps = 100, rounds = 7;
  const auto ms = interleaved_median_ms({hand_step, razor_step, full_step}, steps, rounds);
  const double hm = ms[0], rm = ms[1], fm = ms[2];
  std::printf("threads %d, batch 64 of 1x8x8, %d steps x %d rounds (median)\n", threads, steps, rounds);
  std::printf("hand   %.3f ms/step  1.00x\n", hm);
  std::printf("razor  %.3f ms/step  %.2fx\n", rm, rm / hm);
  std::printf("full   %.3f ms/step  %.2fx\n", fm, fm / hm);
  return 0;
}
