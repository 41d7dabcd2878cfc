// The streaming loader on picture folders: the same batches whatever the worker count and prefetch,
// pictures that cannot be read (error or skip), sizes that cannot batch, found before training.
#include <ATen/ATen.h>

#include <filesystem>

#include <fmt/format.h>

#include "images/image_folder_dataset.h"
#include "picture_writer.hpp"
#include "razor/errors.h"
#include "razor/testing/fake_context.h"
#include "razor_doctest.hpp"
#include "session/batch_loader.h"
#include "session/source_subsets.h"
#include "test_support.hpp"
#include "transforms/color_jitter.h"
#include "transforms/random_flip.h"
#include "transforms/random_resized_crop.h"
#include "transforms/resize.h"

using namespace razor::host;
using razor::Split;
using razor::test::error_of;

namespace {

// n pictures in two class folders: RGB noise, alternately PNG and JPEG, of `size` (or size + 1 for
// every third one when `mixed`).
struct PictureFolder : razor::test::TempDir {
  PictureFolder(int n, std::int64_t size, bool mixed = false) : razor::test::TempDir("loader") {
    at::manual_seed(3);
    for (int i = 0; i < n; ++i) {
      const std::int64_t s = mixed && i % 3 == 2 ? size + 1 : size;
      const at::Tensor pixels = at::randint(0, 256, {s, s, 3}, at::kInt).to(at::kByte);
      const std::string name = fmt::format("{}/{:03d}.{}", i % 2 ? "b" : "a", i, i % 2 ? "png" : "jpg");
      write(name, i % 2 ? razor::test::png_bytes(pixels) : razor::test::jpeg_bytes(pixels, 95));
    }
  }
  std::shared_ptr<const razor::ImageSource> open() const {
    razor::core::ImageFolderOptions o;
    o.root = path.string();
    return razor::core::ImageFolderDataset(razor::testing::Context{}, o).open(Split::train);
  }
};

Pipeline augmenting() {
  razor::core::RandomResizedCropOptions crop;
  crop.size = {12};
  razor::core::ColorJitterOptions jitter;
  jitter.brightness = jitter.contrast = jitter.saturation = 0.4;
  jitter.hue = 0.1;
  return {std::make_shared<razor::core::RandomResizedCrop>(crop),
          std::make_shared<razor::core::RandomFlip>(razor::core::RandomFlipOptions{}),
          std::make_shared<razor::core::ColorJitter>(jitter)};
}

}  // namespace

TEST_CASE("loader: batches are the same for 0, 1 and 3 workers, with or without prefetch") {
  const PictureFolder folder(40, 16);
  const auto source = folder.open();
  LoaderSettings inline_settings;
  inline_settings.pipeline = augmenting();
  inline_settings.mean = {0.5, 0.5, 0.5};
  inline_settings.std = {0.25, 0.25, 0.25};
  const BatchLoader reference(source, 8, true, 11, inline_settings);
  CHECK(reference.sample_shape() == std::vector<std::int64_t>{3, 12, 12});
  for (std::int64_t workers : {1, 3}) {
    LoaderSettings s = inline_settings;
    s.workers = std::make_shared<WorkerPool>(workers);
    s.prefetch = workers == 3 ? 2 : 0;
    const BatchLoader loader(source, 8, true, 11, s);
    // In order (the prefetched path), then out of order (batches asked for afresh).
    for (std::int64_t epoch : {0, 1})
      for (std::int64_t i = 0; i < loader.batches_per_epoch(); ++i) {
        const auto a = loader.batch(epoch, i), b = reference.batch(epoch, i);
        CHECK(at::equal(a.inputs, b.inputs));
        CHECK(at::equal(a.targets, b.targets));
      }
    CHECK(at::equal(loader.batch(0, 3).inputs, reference.batch(0, 3).inputs));
    CHECK(at::equal(loader.batch(2, 1).inputs, reference.batch(2, 1).inputs));
  }
  // Different epochs give different augmentations of the same sample.
  CHECK_FALSE(at::equal(reference.batch(0, 0).inputs, reference.batch(1, 0).inputs));

  // Evaluation: every sample once, in order, labels from the folders.
  const BatchLoader eval(source, 16, false, 0, {});
  CHECK(eval.batches_per_epoch() == 3);
  CHECK(eval.batch(0, 2).targets.size(0) == 8);
  CHECK(at::equal(eval.batch(0, 0).targets.narrow(0, 0, 2), at::tensor({0, 0}, at::kLong)));
  CHECK(eval.batch(0, 2).targets[7].item<std::int64_t>() == 1);
}

TEST_CASE("loader: a picture that cannot be read stops the run by name, or is skipped and logged") {
  PictureFolder folder(12, 32);
  const std::string jpeg = razor::test::jpeg_bytes(at::randint(0, 256, {32, 32, 3}, at::kInt).to(at::kByte), 90);
  const std::string cut = folder.write("a/005_cut.jpg", jpeg.substr(0, jpeg.size() * 3 / 4));
  const auto source = folder.open();
  LoaderSettings settings;
  settings.workers = std::make_shared<WorkerPool>(2);
  settings.pipeline = {std::make_shared<razor::core::Resize>([] {
    razor::core::ResizeOptions o;
    o.size = {8, 8};
    return o;
  }())};
  const BatchLoader strict(source, 13, false, 0, settings);
  const std::string message = error_of([&] { strict.batch(0, 0); });
  CHECK_MESSAGE(message.rfind(cut + ": damaged JPEG picture (", 0) == 0, message);

  settings.skip_bad = true;
  const BatchLoader lenient(source, 13, false, 0, settings);
  const auto batch = lenient.batch(0, 0);
  CHECK(batch.inputs.size(0) == 13);
  CHECK(lenient.skipped() == std::set<std::string>{cut});
  // The cut picture's place holds the next one, with that one's label.
  const std::int64_t at_cut = 3;  // a/000.jpg a/002.jpg a/004.jpg a/005_cut.jpg
  REQUIRE(source->name(at_cut) == cut);
  CHECK(at::equal(batch.inputs[at_cut], batch.inputs[at_cut + 1]));
}

TEST_CASE("loader: pictures of mixed sizes are found before training unless the pipeline resizes") {
  const PictureFolder folder(9, 6, true);
  const auto source = folder.open();
  const std::string message = error_of([&] { BatchLoader(source, 4, true, 0, {}); });
  CHECK(message == folder.file("a/002.jpg") +
                       ": a 7x7 picture gives a 3x7x7 sample where " + folder.file("a/000.jpg") +
                       " (6x6) gives 3x6x6: a batch needs one size; put resize, center_crop or random_resized_crop in "
                       "the pipeline");
  LoaderSettings resized;
  resized.pipeline = augmenting();
  CHECK(BatchLoader(source, 4, true, 0, resized).batch(0, 1).inputs.sizes() == at::IntArrayRef({4, 3, 12, 12}));
}

TEST_CASE("loader: seeded subsets are fixed, sorted and sized by count or fraction") {
  const auto all = razor::in_memory_source({at::arange(50, at::kFloat).view({50, 1, 1, 1}), at::zeros({50}, at::kLong)}, "x");
  const auto a = seeded_subset(all, 10, 1), b = seeded_subset(all, 0.2, 1);
  REQUIRE(a->size() == 10);
  REQUIRE(b->size() == 10);
  for (std::int64_t i = 0; i < 10; ++i) CHECK(a->name(i) == b->name(i));
  CHECK(a->name(0) != seeded_subset(all, 10, 2)->name(0));
  CHECK(error_of([&] { seeded_subset(all, 51, 1); }) == "a subset of 51 samples from 50");
  CHECK(error_of([&] { seeded_subset(all, 0.001, 1); }) == "a subset of 0.001 of 50 samples is empty");
}
