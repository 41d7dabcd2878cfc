// Search-stage pieces of the host: batch-norm recalibration and snapshots, batch statistics in eval
// mode, the Pareto front of the candidates plot.
#include "razor_doctest.hpp"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "stages/search/pareto_svg.h"
#include "test_support.hpp"
#include "stages/train/batch_norm.h"

using namespace razor;
using namespace razor::host;

namespace {

// conv -> BN, so that the BN's input is not the raw data.
struct ConvBnNet : torch::nn::Module {
  ConvBnNet()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 3, 3).padding(1)))),
        bn(register_module("bn", torch::nn::BatchNorm2d(3))) {}
  at::Tensor forward(const at::Tensor& x) { return bn(conv(x)); }
  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
};

LabelledImages images(std::int64_t n) {
  at::manual_seed(11);
  return {at::randn({n, 1, 6, 6}) * 2 + 0.5, at::zeros({n}, at::kLong)};
}

}  // namespace

TEST_CASE("batch-norm recalibration gives the true mean and unbiased variance of the calibration images") {
  ConvBnNet net;
  const auto data = images(96);
  // One batch holding every calibration image: the statistics are exactly those of the set.
  BatchLoader one_batch(data, 96, false, 0);
  net.eval();
  calibrate_batch_norm(net, [&](const at::Tensor& x) { net.forward(x); }, one_batch, 96, c10::kCPU);
  CHECK_FALSE(net.is_training());  // mode restored
  at::Tensor features;
  {
    c10::NoGradGuard no_grad;
    features = net.conv(data.images).transpose(0, 1).reshape({3, -1});
  }
  CHECK(at::allclose(net.bn->running_mean, features.mean(1), 1e-5, 1e-6));
  CHECK(at::allclose(net.bn->running_var, features.var(1, /*unbiased=*/true), 1e-4, 1e-6));

  // Several batches: each batch weighs the same (the average of the per-batch statistics).
  BatchLoader batches(data, 32, false, 0);
  calibrate_batch_norm(net, [&](const at::Tensor& x) { net.forward(x); }, batches, 64, c10::kCPU);
  at::Tensor a, b;
  {
    c10::NoGradGuard no_grad;
    a = net.conv(data.images.narrow(0, 0, 32)).transpose(0, 1).reshape({3, -1});
    b = net.conv(data.images.narrow(0, 32, 32)).transpose(0, 1).reshape({3, -1});
  }
  CHECK(at::allclose(net.bn->running_mean, (a.mean(1) + b.mean(1)) / 2, 1e-5, 1e-6));
  CHECK(at::allclose(net.bn->running_var, (a.var(1, true) + b.var(1, true)) / 2, 1e-4, 1e-6));
  CHECK(net.bn->options.momentum().value() == doctest::Approx(0.1));  // restored
}

TEST_CASE("a snapshot puts batch-norm statistics back; batch statistics in eval leave them alone") {
  ConvBnNet net;
  const auto data = images(64);
  net.train();
  net.forward(data.images);  // non-trivial running statistics
  const at::Tensor mean = net.bn->running_mean.clone(), var = net.bn->running_var.clone();
  BatchNormSnapshot snapshot(net);
  BatchLoader loader(data, 64, false, 0);
  calibrate_batch_norm(net, [&](const at::Tensor& x) { net.forward(x); }, loader, 64, c10::kCPU);
  CHECK_FALSE(at::equal(net.bn->running_mean, mean));
  snapshot.restore();
  CHECK(at::equal(net.bn->running_mean, mean));
  CHECK(at::equal(net.bn->running_var, var));

  net.eval();
  at::Tensor eval_out, batch_out;
  {
    c10::NoGradGuard no_grad;
    eval_out = net.forward(data.images);
    BatchStatsGuard guard(net);
    batch_out = net.forward(data.images);
  }
  CHECK_FALSE(net.bn->is_training());
  CHECK(at::equal(net.bn->running_mean, mean));  // momentum 0 while guarded
  // Batch statistics normalise each channel to mean 0 over the batch; running statistics do not.
  CHECK(batch_out.mean({0, 2, 3}).abs().max().item<double>() < 1e-5);
  CHECK(eval_out.mean({0, 2, 3}).abs().max().item<double>() > 1e-3);
}

TEST_CASE("Pareto front: cheapest first, each better than every cheaper one") {
  auto c = [](double flops, double score) { return Candidate{{}, score, {{"flops", flops}}}; };
  const std::vector<Candidate> all{c(5, 90), c(3, 80), c(4, 85), c(4, 70), c(6, 88), c(3, 82), c(7, 95)};
  CHECK(pareto_front(all, "flops") == std::vector<std::size_t>{5, 2, 0, 6});

  test::TempDir dir("pareto");
  write_pareto_svg(dir.file("c.svg"), all, "flops", 6);
  std::ifstream in(dir.file("c.svg"));
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("<polyline") != std::string::npos);
  CHECK(std::count(svg.begin(), svg.end(), '\n') > all.size());
}
