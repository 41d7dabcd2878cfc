// Decode + augment throughput of razor's streaming loader on a picture folder, in images/s.
//   bench_loader ROOT MODE WORKERS BATCHES
// MODE cifar: random_crop 32 (padding 4), random_flip, mean/std (batches of 128);
// MODE 224:   random_resized_crop 224, random_flip, mean/std (batches of 64).
// tools/bench/loader-vs-pytorch runs it beside PyTorch's DataLoader doing the same work.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <ATen/Parallel.h>

#include "images/image_folder_dataset.h"
#include "razor/testing/fake_context.h"
#include "session/batch_loader.h"
#include "transforms/random_crop.h"
#include "transforms/random_flip.h"
#include "transforms/random_resized_crop.h"

using namespace razor;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: bench_loader ROOT cifar|224 WORKERS BATCHES\n");
    return 2;
  }
  const std::string root = argv[1], mode = argv[2];
  const int workers = std::atoi(argv[3]), batches = std::atoi(argv[4]);
  at::set_num_threads(1);
  core::ImageFolderOptions folder;
  folder.root = root;
  const auto source = core::ImageFolderDataset(testing::Context{}, folder).open(Split::train);

  host::LoaderSettings settings;
  std::int64_t batch_size = 128;
  if (mode == "cifar") {
    core::RandomCropOptions crop;
    crop.size = {32};
    crop.padding = 4;
    settings.pipeline.push_back(std::make_shared<core::RandomCrop>(crop));
  } else {
    core::RandomResizedCropOptions crop;
    crop.size = {224};
    settings.pipeline.push_back(std::make_shared<core::RandomResizedCrop>(crop));
    batch_size = 64;
  }
  settings.pipeline.push_back(std::make_shared<core::RandomFlip>(core::RandomFlipOptions{}));
  settings.mean = {0.485, 0.456, 0.406};
  settings.std = {0.229, 0.224, 0.225};
  if (workers > 0) settings.workers = std::make_shared<host::WorkerPool>(workers);
  settings.prefetch = 2;
  const host::BatchLoader loader(source, batch_size, true, 0, settings);

  const int warm_up = 2;
  std::chrono::steady_clock::time_point start;
  std::int64_t images = 0;
  for (int i = 0; i < warm_up + batches; ++i) {
    if (i == warm_up) start = std::chrono::steady_clock::now();
    const Batch b = loader.batch(0, i % loader.batches_per_epoch());
    if (i >= warm_up) images += b.inputs.size(0);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("razor %s workers=%d: %.0f images/s (%lld images in %.2f s)\n", mode.c_str(), workers,
              static_cast<double>(images) / seconds, static_cast<long long>(images), seconds);
  return 0;
}
