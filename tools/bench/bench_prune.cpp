// bench_prune: channel pruning on configs/pruning/autoslim_resnet_fashion_mnist.toml (ResNet 16-32-64,
// Fashion-MNIST, batch 128), in one run:
//   sandwich  one AutoSlim step over four fixed subnets (max, min, two random) through the channel
//             mutator's slicing: max on the labels, the others on labels + KL from max, one SGD step
//   static    the same four subnets as four physically slimmed models, each its own step
//             (the static max's logits teach the others): the sum of their times
// then inference (eval, no grad, batch 64) of the model slimmed to about 50 % of the MACs (the uniform
// ratio closest to it, or the subnet file given as the second argument, e.g. a greedy_slim result)
// against the unpruned model and against a hand-written LibTorch ResNet of the slimmed widths.
// Usage: bench_prune [threads] [subnet.toml]
#include <cstdio>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/sgd.h>
#include <torch/script.h>
#include <torch/utils.h>

#include "bench_config.h"
#include "bench_timing.h"
#include "stages/export/inference_module.h"
#include "hand_resnet.h"
#include "razor/algorithm.h"
#include "razor/estimator.h"
#include "razor/subnet_file.h"
#include "razor/torchscript_export.h"
#include "session/data_setup.h"
#include "stages/train/gradients.h"

using namespace razor::host;
using razor::bench::HandResNet;
using razor::bench::interleaved_median_ms;

namespace {

at::Tensor kl(const at::Tensor& student, const at::Tensor& teacher) {
  return at::kl_div(at::log_softmax(student, 1), at::softmax(teacher, 1), at::Reduction::Sum) / student.size(0);
}

std::int64_t out_channels(razor::Model& m, const std::string& weight) { return m.named_parameters()[weight].size(0); }

}  // namespace

int main(int argc, char** argv) {
  const int threads = razor::bench::set_up_threads(argc, argv);

  razor::bench::BenchConfig config("configs/pruning/autoslim_resnet_fashion_mnist.toml");
  const auto make = [&] { return config.algorithm(); };
  auto estimator = config.estimator();
  DataSetup data = config.data();
  const razor::Batch batch = data.train->batch(0, 0);

  auto sandwich = make();
  razor::Mutator& mutator = *sandwich->mutator();
  std::mt19937_64 rng(1);
  std::vector<razor::Subnet> subnets;
  for (auto kind : {razor::SampleKind::max, razor::SampleKind::min, razor::SampleKind::random, razor::SampleKind::random}) {
    subnets.push_back(razor::sample_subnet(mutator.groups(), kind, rng));
  }
  std::vector<std::shared_ptr<razor::Algorithm>> statics;
  std::vector<std::unique_ptr<torch::optim::SGD>> static_opts;
  for (const auto& s : subnets) {
    statics.push_back(make());
    statics.back()->mutator()->fix(s);
    statics.back()->train();
    static_opts.push_back(std::make_unique<torch::optim::SGD>(statics.back()->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9)));
  }
  sandwich->train();
  torch::optim::SGD opt(sandwich->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));

  auto sandwich_step = [&](int) {
    clear_gradients(opt);
    at::Tensor teacher;
    for (std::size_t i = 0; i < subnets.size(); ++i) {
      mutator.set(subnets[i]);
      const at::Tensor logits = sandwich->model().forward(batch.inputs);
      at::Tensor loss = at::cross_entropy_loss(logits, batch.targets);
      if (i == 0) teacher = logits.detach();
      else loss = loss + kl(logits, teacher);
      loss.backward();
    }
    opt.step();
  };
  auto static_steps = [&](int) {
    at::Tensor teacher;
    for (std::size_t i = 0; i < statics.size(); ++i) {
      clear_gradients(*static_opts[i]);
      const at::Tensor logits = statics[i]->model().forward(batch.inputs);
      at::Tensor loss = at::cross_entropy_loss(logits, batch.targets);
      if (i == 0) teacher = logits.detach();
      else loss = loss + kl(logits, teacher);
      loss.backward();
      static_opts[i]->step();
    }
  };
  auto autoslim_step = [&](int) {
    clear_gradients(opt);
    sandwich->train_step(batch);
    opt.step();
  };
  const auto train_ms = interleaved_median_ms({sandwich_step, static_steps, autoslim_step}, 10, 5);
  std::printf("threads %d, batch %lld of 1x28x28; subnets max, min, two random: %s | %s\n", threads,
              static_cast<long long>(batch.inputs.size(0)), razor::subnet_text(subnets[2]).c_str(),
              razor::subnet_text(subnets[3]).c_str());
  std::printf("sandwich step (sliced)       %.2f ms  %.2fx\n", train_ms[0], train_ms[0] / train_ms[1]);
  std::printf("four static steps (sum)      %.2f ms  1.00x\n", train_ms[1]);
  std::printf("autoslim train_step (random) %.2f ms  (fresh random subnets every step)\n", train_ms[2]);

  // Inference at about half the MACs: the uniform ratio whose subnet is closest to 50 %.
  const std::vector<std::int64_t> shape{1, 1, 28, 28};
  auto full = make();
  full->eval();
  const double full_flops = estimator->estimate(full->model(), shape).at("flops");
  auto half = make();
  half->eval();
  razor::Subnet best;
  double best_flops = 0;
  for (const auto& ratio : half->mutator()->groups().front().choices) {
    razor::Subnet s;
    for (const auto& g : half->mutator()->groups()) s[g.key] = ratio;
    half->mutator()->set(s);
    const double f = estimator->estimate(half->model(), shape).at("flops");
    if (best.empty() || std::abs(f - full_flops / 2) < std::abs(best_flops - full_flops / 2)) best = s, best_flops = f;
  }
  if (argc > 2) {
    best = razor::load_subnet(argv[2], half->mutator()->groups());
    half->mutator()->set(best);
    best_flops = estimator->estimate(half->model(), shape).at("flops");
  }
  half->mutator()->fix(best);
  razor::Model& slim = half->model();
  HandResNet hand(out_channels(slim, "stem.conv.weight"),
                  {out_channels(slim, "stages.0.conv2.conv.weight"), out_channels(slim, "stages.1.conv2.conv.weight"),
                   out_channels(slim, "stages.2.conv2.conv.weight")},
                  {out_channels(slim, "stages.0.conv1.conv.weight"), out_channels(slim, "stages.1.conv1.conv.weight"),
                   out_channels(slim, "stages.2.conv1.conv.weight")});
  hand.eval();
  // The export's inference.pt of both: TorchScript frozen, batch norm folded.
  torch::jit::Module full_frozen = razor::host::inference_module(razor::to_torchscript(full->model()));
  torch::jit::Module slim_frozen = razor::host::inference_module(razor::to_torchscript(slim));
  torch::jit::Module slim_frozen_nhwc = razor::host::inference_module(razor::to_torchscript(slim), /*channels_last=*/true);
  const at::Tensor images = batch.inputs.narrow(0, 0, 64);
  torch::NoGradGuard no_grad;
  const auto infer_ms = interleaved_median_ms({[&](int) { full->model().forward(images); },
                                               [&](int) { slim.forward(images); },
                                               [&](int) { hand.forward(images); },
                                               [&](int) { full_frozen.forward({images}); },
                                               [&](int) { slim_frozen.forward({images}); },
                                               [&](int) { slim_frozen_nhwc.forward({images}); }},
                                              50, 7);
  std::printf("inference, batch 64: slimmed to %s (%.0f of %.0f MACs, %.1f %%)\n", razor::subnet_text(best).c_str(),
              best_flops, full_flops, 100 * best_flops / full_flops);
  std::printf("unpruned      %.3f ms  1.00x\n", infer_ms[0]);
  std::printf("slimmed       %.3f ms  %.2fx of unpruned, %.2fx of hand-written\n", infer_ms[1], infer_ms[1] / infer_ms[0],
              infer_ms[1] / infer_ms[2]);
  std::printf("hand-written  %.3f ms  (same widths)\n", infer_ms[2]);
  std::printf("inference.pt of the unpruned  %.3f ms  %.2fx of unpruned\n", infer_ms[3], infer_ms[3] / infer_ms[0]);
  std::printf("inference.pt of the slimmed   %.3f ms  %.2fx of unpruned, %.2fx of hand-written, %.2fx of the unpruned's "
              "inference.pt\n",
              infer_ms[4], infer_ms[4] / infer_ms[0], infer_ms[4] / infer_ms[2], infer_ms[4] / infer_ms[3]);
  std::printf("the same, channels-last       %.3f ms  %.2fx of unpruned, %.2fx of hand-written, %.2fx of the unpruned's "
              "inference.pt\n",
              infer_ms[5], infer_ms[5] / infer_ms[0], infer_ms[5] / infer_ms[2], infer_ms[5] / infer_ms[3]);
  return 0;
}
