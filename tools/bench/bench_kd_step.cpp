// bench_kd_step: one knowledge-distillation training step of configs/distill/kd_resnet_fashion_mnist.toml
// (ResNet student 8-16-32 learning from a ResNet teacher 16-32-64, KL at tau 4 plus the labels' loss),
// in one run:
//   hand   the same step written out in LibTorch: teacher forward without gradients, student
//          forward, cross-entropy + tau^2 * KL(batchmean), backward, SGD step
//   razor  Algorithm::train_step of algorithm/single_teacher_distill (taps, recorders, distiller,
//          kl_divergence from the kd_losses plugin) and the same SGD step
//   alone  the hand student trained without a teacher, for the cost of distillation itself
// and the parts of each: the teacher's forward and the student's step, razor's and by hand.
// Same batch (128 Fashion-MNIST images), same threads, interleaved rounds; prints ms per step and
// the ratio razor / hand.
#include <cstdio>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include "bench_config.h"
#include "bench_timing.h"
#include "hand_resnet.h"
#include "razor/algorithm.h"
#include "session/data_setup.h"
#include "stages/train/gradients.h"

using namespace razor::host;
using razor::bench::HandResNet;
using razor::bench::interleaved_median_ms;

int main(int argc, char** argv) {
  const int threads = razor::bench::set_up_threads(argc, argv);

  // No trained teacher is needed to time a step.
  razor::bench::BenchConfig config("configs/distill/kd_resnet_fashion_mnist.toml", {"algorithm.teacher_weights=''"});
  auto algorithm = config.algorithm();
  DataSetup data = config.data();
  const razor::Batch batch = data.train->batch(0, 0);
  algorithm->train();

  HandResNet student(8, {8, 16, 32}), teacher(16, {16, 32, 64});
  teacher.eval();
  std::printf("parameters: student razor %.0f, hand %.0f\n", razor::bench::count_elements(algorithm->model().parameters()),
              razor::bench::count_elements(student.parameters()));

  const double tau = 4.0;
  torch::optim::SGD hand_opt(student.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto hand_step = [&](int) {
    clear_gradients(hand_opt);
    at::Tensor t;
    {
      torch::NoGradGuard no_grad;
      t = teacher.forward(batch.inputs);
    }
    const at::Tensor s = student.forward(batch.inputs);
    const at::Tensor kl = at::kl_div(at::log_softmax(s / tau, 1), at::softmax(t / tau, 1), at::Reduction::Sum) /
                          s.size(0) * (tau * tau);
    (at::cross_entropy_loss(s, batch.targets) + kl).backward();
    hand_opt.step();
  };
  auto alone_step = [&](int) {
    clear_gradients(hand_opt);
    at::cross_entropy_loss(student.forward(batch.inputs), batch.targets).backward();
    hand_opt.step();
  };
  torch::optim::SGD opt(algorithm->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  auto razor_step = [&](int) {
    clear_gradients(opt);
    algorithm->train_step(batch);
    opt.step();
  };

  // Where the time goes: the teacher's forward and the student's step, each razor's and by hand.
  auto& razor_teacher = dynamic_cast<razor::Model&>(*algorithm->named_children()["teacher"]);
  auto hand_teacher_fwd = [&](int) {
    torch::NoGradGuard no_grad;
    teacher.forward(batch.inputs);
  };
  auto razor_teacher_fwd = [&](int) {
    torch::NoGradGuard no_grad;
    razor_teacher.forward(batch.inputs);
  };
  auto razor_alone_step = [&](int) {
    clear_gradients(opt);
    at::cross_entropy_loss(algorithm->model().forward(batch.inputs), batch.targets).backward();
    opt.step();
  };

  const int steps = 30, rounds = 7;
  const auto ms = interleaved_median_ms(
      {hand_step, razor_step, alone_step, razor_alone_step, hand_teacher_fwd, razor_teacher_fwd}, steps, rounds);
  const double hm = ms[0], rm = ms[1], am = ms[2];
  std::printf("threads %d, batch %lld of 1x28x28, %d steps x %d rounds (median)\n", threads,
              static_cast<long long>(batch.inputs.size(0)), steps, rounds);
  std::printf("hand KD   %.3f ms/step  1.00x\n", hm);
  std::printf("razor KD  %.3f ms/step  %.2fx\n", rm, rm / hm);
  std::printf("alone     %.3f ms/step  %.2fx (the student without a teacher)\n", am, am / hm);
  std::printf("parts: student step hand %.3f / razor %.3f ms, teacher forward hand %.3f / razor %.3f ms\n", am, ms[3],
              ms[4], ms[5]);
  return 0;
}
