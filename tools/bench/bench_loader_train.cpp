// Does the streaming loader keep up with training? ResNet-20 train steps on CIFAR-10 JPEG pictures read
// by the loader from the folder, against the same steps on the same pictures decoded once and held in
// memory as tensors (the same pipeline, workers and batches), interleaved rounds.
//   bench_loader_train [THREADS] [WORKERS]
// Needs data/cifar10-jpeg (tools/get-cifar10-jpeg).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/sgd.h>

#include "bench_config.h"
#include "bench_timing.h"
#include "session/batch_loader.h"
#include "session/source_subsets.h"

using namespace razor;

int main(int argc, char** argv) {
  const int threads = bench::set_up_threads(argc, argv);
  const int workers = argc > 2 ? std::atoi(argv[2]) : 2;
  bench::BenchConfig config("configs/core/resnet20_cifar10_jpeg.toml",
                            {"data.workers=" + std::to_string(workers), "data.validation='test'"});
  auto algorithm = config.algorithm();
  torch::optim::SGD opt(algorithm->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  const host::DataSetup data = config.data();
  const host::BatchLoader& streaming = *data.train;
  // The same pictures, decoded once (5120 of them: the batches timed below) and held as tensors.
  const std::int64_t held = 40 * 128;
  std::vector<std::int64_t> first(static_cast<std::size_t>(held));
  for (std::int64_t i = 0; i < held; ++i) first[static_cast<std::size_t>(i)] = i;
  const auto sub = host::subset(streaming.source_ptr(), first);
  const auto in_memory = in_memory_source(read_all(*sub), "held in memory");
  const auto preloaded = streaming.with_source(in_memory);
  const auto streamed = streaming.with_source(sub);

  const auto step = [&](const host::BatchLoader& loader, int i) {
    const Batch b = loader.batch(0, i % loader.batches_per_epoch());
    opt.zero_grad();
    algorithm->train_step(b);
    opt.step();
  };
  const int steps = 20, rounds = 3;
  const auto ms = bench::interleaved_median_ms({[&](int i) { step(*preloaded, i); }, [&](int i) { step(*streamed, i); }},
                                               steps, rounds);
  std::printf("ResNet-20 train step, batch 128, %d threads, %d loader threads: held in memory %.1f ms, streamed from "
              "JPEG files %.1f ms; steps/s streamed / held = %.3f\n",
              threads, workers, ms[0], ms[1], ms[0] / ms[1]);
  return 0;
}
