// bench_spos_step: SPOS on the digits config (configs/nas/spos_shufflenet_digits.toml), in one run:
//   hand     a static LibTorch ShuffleNetV2 of one sampled path, written out here
//   path     the razor supernet with that path set: forward, loss, backward, SGD step over the
//            supernet's parameters (unused candidates have no gradient and are skipped)
//   sampled  Algorithm::train_step of algorithm/spos: a fresh uniformly sampled path every step
// Same batch, same threads, interleaved rounds; prints ms per step and ratios to `hand`, then the
// search's scoring rate: candidates scored per second (batch-norm recalibration + validation).
#include <chrono>
#include <cstdio>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "bench_config.h"
#include "bench_timing.h"
#include "razor/algorithm.h"
#include "session/data_setup.h"
#include "stages/search/subnet_scorer.h"
#include "stages/train/gradients.h"

using namespace razor::host;
using razor::bench::interleaved_median_ms;
namespace nn = torch::nn;

namespace {

// Conv (no bias) -> BN -> optional ReLU, by hand.
struct HandConvBn {
  nn::Conv2d conv{nullptr};
  nn::BatchNorm2d bn{nullptr};
  bool relu;
  at::Tensor operator()(const at::Tensor& x) {
    at::Tensor y = bn(conv(x));
    return relu ? at::relu(y) : y;
  }
};

// One ShuffleNetV2 block of the SPOS space: shuffle_3x3/5x5/7x7 or shuffle_xception, by hand.
struct HandBlock {
  bool split;
  std::vector<HandConvBn> branch, shortcut;
  at::Tensor operator()(const at::Tensor& x) {
    const auto run = [](std::vector<HandConvBn>& layers, at::Tensor y) {
      for (auto& l : layers) y = l(y);
      return y;
    };
    at::Tensor y;
    if (split) {
      auto halves = x.chunk(2, 1);
      y = at::cat({halves[0], run(branch, halves[1])}, 1);
    } else {
      y = at::cat({run(shortcut, x), run(branch, x)}, 1);
    }
    const auto n = y.size(0), c = y.size(1), h = y.size(2), w = y.size(3);
    return y.view({n, 2, c / 2, h, w}).transpose(1, 2).reshape({n, c, h, w});
  }
};

struct HandShuffleNet : nn::Module {
  HandConvBn layer(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t groups, bool relu) {
    const auto n = std::to_string(count++);
    return {register_module("c" + n, nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2)
                                                     .groups(groups).bias(false))),
            register_module("b" + n, nn::BatchNorm2d(out)), relu};
  }
  // stem 16, widths {32, 64}, repeats {3, 3}, strides {1, 2}, last 128: the digits config.
  explicit HandShuffleNet(const std::vector<std::string>& path) {
    stem = layer(1, 16, 3, 1, 1, true);
    const int64_t widths[] = {32, 64}, repeats[] = {3, 3}, strides[] = {1, 2};
    int64_t in = 16;
    std::size_t b = 0;
    for (int s = 0; s < 2; ++s) {
      for (int r = 0; r < repeats[s]; ++r, ++b) {
        const int64_t out = widths[s], stride = r == 0 ? strides[s] : 1, half = out / 2;
        HandBlock block{stride == 1 && in == out, {}, {}};
        const int64_t bin = block.split ? half : in;
        if (path[b] == "shuffle_xception") {
          block.branch = {layer(bin, bin, 3, stride, bin, false), layer(bin, half, 1, 1, 1, true),
                          layer(half, half, 3, 1, half, false),  layer(half, half, 1, 1, 1, true),
                          layer(half, half, 3, 1, half, false),  layer(half, half, 1, 1, 1, true)};
          if (!block.split) block.shortcut = {layer(in, in, 3, stride, in, false), layer(in, out - half, 1, 1, 1, true)};
        } else {
          const int64_t k = path[b] == "shuffle_3x3" ? 3 : path[b] == "shuffle_5x5" ? 5 : 7;
          block.branch = {layer(bin, half, 1, 1, 1, true), layer(half, half, k, stride, half, false),
                          layer(half, half, 1, 1, 1, true)};
          if (!block.split) block.shortcut = {layer(in, in, k, stride, in, false), layer(in, out - half, 1, 1, 1, true)};
        }
        blocks.push_back(block);
        in = out;
      }
    }
    last = layer(in, 128, 1, 1, 1, true);
    fc = register_module("fc", nn::Linear(128, 10));
  }
  at::Tensor forward(at::Tensor x) {
    x = stem(x);
    for (auto& b : blocks) x = b(x);
    return fc(at::adaptive_avg_pool2d(last(x), {1, 1}).flatten(1));
  }
  int count = 0;
  HandConvBn stem, last;
  std::vector<HandBlock> blocks;
  nn::Linear fc{nullptr};
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = razor::bench::set_up_threads(argc, argv);

  razor::bench::BenchConfig config("configs/nas/spos_shufflenet_digits.toml");
  auto algorithm = config.algorithm();
  razor::Mutator& mutator = *algorithm->mutator();
  DataSetup data = config.data();
  razor::Batch batch = data.train->batch(0, 0);

  // A path that uses every candidate kind, in order.
  razor::Subnet path;
  std::vector<std::string> ops;
  const auto& groups = mutator.groups();
  for (std::size_t i = 0; i < groups.size(); ++i) {
    path[groups[i].key] = groups[i].choices[i % groups[i].choices.size()];
    ops.push_back(path[groups[i].key]);
  }
  HandShuffleNet hand(ops);
  mutator.set(path);
  // The same architecture: the supernet's parameters that receive gradients on this path.
  algorithm->zero_grad();
  algorithm->train_step(batch);  // samples; measure the path's gradients below instead
  mutator.set(path);
  for (auto& p : algorithm->parameters()) p.mutable_grad() = at::Tensor();
  at::cross_entropy_loss(algorithm->predict(batch.inputs), batch.targets).backward();
  std::vector<at::Tensor> used;
  for (auto& p : algorithm->parameters())
    if (p.grad().defined()) used.push_back(p);
  std::printf("path %s\nparameters on the path: razor %.0f, hand %.0f\n", razor::subnet_text(path).c_str(),
              razor::bench::count_elements(used), razor::bench::count_elements(hand.parameters()));

  torch::optim::SGD hand_opt(hand.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto hand_step = [&](int) {
    clear_gradients(hand_opt);
    at::cross_entropy_loss(hand.forward(batch.inputs), batch.targets).backward();
    hand_opt.step();
  };
  torch::optim::SGD opt(algorithm->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto path_step = [&](int) {
    clear_gradients(opt);
    mutator.set(path);
    at::cross_entropy_loss(algorithm->predict(batch.inputs), batch.targets).backward();
    opt.step();
  };
  auto sampled_step = [&](int) {
    clear_gradients(opt);
    algorithm->train_step(batch);
    opt.step();
  };

  const int steps = 50, rounds = 7;
  const auto ms = interleaved_median_ms({hand_step, path_step, sampled_step}, steps, rounds);
  const double hm = ms[0], pm = ms[1], sm = ms[2];
  std::printf("threads %d, batch %lld of 1x8x8, %d steps x %d rounds (median)\n", threads,
              static_cast<long long>(batch.inputs.size(0)), steps, rounds);
  std::printf("hand     %.3f ms/step  1.00x\n", hm);
  std::printf("path     %.3f ms/step  %.2fx\n", pm, pm / hm);
  std::printf("sampled  %.3f ms/step  %.2fx (a different path every step)\n", sm, sm / hm);

  // Scoring rate of the search: recalibrate batch norm on 1024 training images, validate.
  algorithm->eval();
  SubnetScorer scorer(*algorithm, *data.val, *data.calibration, {1024, false}, c10::Device(c10::kCPU));
  std::mt19937_64 rng(0);
  const int candidates = 20;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < candidates; ++i) scorer.score(razor::sample_subnet(groups, razor::SampleKind::random, rng));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("search scoring: %.1f candidates/s (1024 calibration + %lld validation images each)\n",
              candidates / seconds, static_cast<long long>(data.val->num_samples()));
  return 0;
}
