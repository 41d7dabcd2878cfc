#pragma once
// BatchLoader: seeded shuffling, batching and augmentation. A batch is a pure function of
// (seed, epoch, index), so resuming needs only the position, not loader state.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/algorithm.h"
#include "razor/dataset.h"

namespace razor::host {

struct Augmentation {
  std::int64_t crop_padding = 0;  // random crop after zero padding by this many pixels
  bool horizontal_flip = false;   // flip half of the images left-right
};

struct Normalization {
  std::vector<double> mean;  // per channel; empty = no normalisation
  std::vector<double> std;
};

class BatchLoader {
 public:
  /// `shuffle` also drops the last incomplete batch (training); otherwise every sample is visited once
  /// in order (evaluation).
  BatchLoader(LabelledImages data, std::int64_t batch_size, bool shuffle, std::uint64_t seed,
              Augmentation augmentation, Normalization normalization);

  /// Data parallel: this loader gives rank `rank` of `world` its 1/world rows of every (global) batch:
  /// the very rows and augmentations a single process would give them. Training loaders only; the
  /// batch size must split evenly (else razor::Error).
  void shard(int rank, int world);

  std::int64_t batches_per_epoch() const;
  std::int64_t num_samples() const { return data_.labels.size(0); }
  Batch batch(std::int64_t epoch, std::int64_t index) const;

 private:
  at::Tensor order(std::int64_t epoch) const;
  /// Draws the random crops and flips of the whole batch of `count`, applies those of rows [first, first + n).
  at::Tensor augment(at::Tensor images, std::int64_t epoch, std::int64_t index, std::int64_t count,
                     std::int64_t first) const;

  LabelledImages data_;
  std::int64_t batch_size_;
  bool shuffle_;
  std::uint64_t seed_;
  int rank_ = 0, world_ = 1;
  Augmentation augmentation_;
  at::Tensor mean_, inv_std_;  // [1, C, 1, 1] or undefined
  mutable std::int64_t cached_epoch_ = -1;
  mutable at::Tensor cached_order_;
};

/// Splits off the last `fraction` of a seeded permutation as validation data.
std::pair<LabelledImages, LabelledImages> split_train_val(const LabelledImages& all, double fraction,
                                                          std::uint64_t seed);

/// A 64-bit mix of several integers (splitmix64), for deriving independent generator seeds.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0);

}  // namespace razor::host
