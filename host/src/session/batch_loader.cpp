#include "session/batch_loader.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {
namespace {

at::Generator generator(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

}  // namespace

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t x = a;
  for (std::uint64_t v : {b, c}) {
    x += 0x9e3779b97f4a7c15ULL + v;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
  }
  return x;
}

BatchLoader::BatchLoader(LabelledImages data, std::int64_t batch_size, bool shuffle, std::uint64_t seed,
                         Augmentation augmentation, Normalization normalization)
    : data_(std::move(data)), batch_size_(batch_size), shuffle_(shuffle), seed_(seed),
      augmentation_(augmentation) {
  if (!normalization.mean.empty()) {
    const auto channels = static_cast<std::int64_t>(normalization.mean.size());
    mean_ = at::tensor(normalization.mean, at::kFloat).view({1, channels, 1, 1});
    inv_std_ = 1.0 / at::tensor(normalization.std, at::kFloat).view({1, channels, 1, 1});
  }
}

void BatchLoader::shard(int rank, int world) {
  if (!shuffle_) throw Error("only a training loader is split over ranks");
  if (batch_size_ % world != 0) {
    throw Error(fmt::format("batch size {} does not split evenly over {} processes: the batch size is the global one, "
                            "make it a multiple of the process count", batch_size_, world));
  }
  rank_ = rank;
  world_ = world;
}

std::int64_t BatchLoader::batches_per_epoch() const {
  const std::int64_t n = num_samples();
  return shuffle_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

at::Tensor BatchLoader::order(std::int64_t epoch) const {
  if (epoch != cached_epoch_) {
    auto gen = generator(mix_seed(seed_, static_cast<std::uint64_t>(epoch)));
    cached_order_ = at::randperm(num_samples(), gen, at::TensorOptions().dtype(at::kLong));
    cached_epoch_ = epoch;
  }
  return cached_order_;
}

at::Tensor BatchLoader::augment(at::Tensor images, std::int64_t epoch, std::int64_t index, std::int64_t count,
                                std::int64_t first) const {
  auto gen = generator(mix_seed(seed_, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(index) + 1));
  const std::int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  if (const std::int64_t p = augmentation_.crop_padding; p > 0) {
    at::Tensor padded = at::constant_pad_nd(images, {p, p, p, p}, 0.0);
    at::Tensor offsets =
        at::randint(0, 2 * p + 1, {count, 2}, gen, at::TensorOptions().dtype(at::kLong)).narrow(0, first, n);
    auto off = offsets.accessor<std::int64_t, 2>();
    std::vector<at::Tensor> crops;
    crops.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      crops.push_back(padded[i].narrow(1, off[i][0], h).narrow(2, off[i][1], w));
    }
    images = at::stack(crops);
  }
  if (augmentation_.horizontal_flip) {
    at::Tensor flip = at::rand({count}, gen).narrow(0, first, n) < 0.5;
    images = at::where(flip.view({n, 1, 1, 1}), images.flip({3}), images);
  }
  return images;
}

Batch BatchLoader::batch(std::int64_t epoch, std::int64_t index) const {
  const std::int64_t start = index * batch_size_;
  const std::int64_t count = std::min(batch_size_, num_samples() - start);
  at::Tensor idx = shuffle_ ? order(epoch).narrow(0, start, count)
                            : at::arange(start, start + count, at::TensorOptions().dtype(at::kLong));
  const std::int64_t rows = count / world_, first = rank_ * rows;  // this rank's share
  if (world_ > 1) idx = idx.narrow(0, first, rows);
  at::Tensor images = data_.images.index_select(0, idx);
  if (shuffle_) images = augment(images, epoch, index, count, first);
  if (mean_.defined()) images = (images - mean_) * inv_std_;
  return {images, data_.labels.index_select(0, idx)};
}

std::pair<LabelledImages, LabelledImages> split_train_val(const LabelledImages& all, double fraction,
                                                          std::uint64_t seed) {
  const std::int64_t n = all.labels.size(0);
  const auto n_val = static_cast<std::int64_t>(static_cast<double>(n) * fraction + 0.5);
  if (n_val <= 0 || n_val >= n) {
    throw Error("validation split leaves no training or no validation data");
  }
  auto gen = generator(mix_seed(seed, 0x5eed5eedULL));
  at::Tensor perm = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
  at::Tensor train_idx = perm.narrow(0, 0, n - n_val), val_idx = perm.narrow(0, n - n_val, n_val);
  return {{all.images.index_select(0, train_idx), all.labels.index_select(0, train_idx)},
          {all.images.index_select(0, val_idx), all.labels.index_select(0, val_idx)}};
}

}  // namespace razor::host
