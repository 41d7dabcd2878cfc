#include "session/source_subsets.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {
namespace {

class Subset final : public ImageSource {
 public:
  Subset(std::shared_ptr<const ImageSource> source, std::vector<std::int64_t> indices)
      : source_(std::move(source)), indices_(std::move(indices)) {}
  std::int64_t size() const override { return static_cast<std::int64_t>(indices_.size()); }
  std::int64_t label(std::int64_t i) const override { return source_->label(at(i)); }
  at::Tensor read(std::int64_t i) const override { return source_->read(at(i)); }
  std::pair<std::int64_t, std::int64_t> stored_size(std::int64_t i) const override { return source_->stored_size(at(i)); }
  std::string name(std::int64_t i) const override { return source_->name(at(i)); }

 private:
  std::int64_t at(std::int64_t i) const { return indices_[static_cast<std::size_t>(i)]; }
  std::shared_ptr<const ImageSource> source_;
  std::vector<std::int64_t> indices_;
};

std::vector<std::int64_t> permutation(std::int64_t n, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor perm = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
  return {perm.data_ptr<std::int64_t>(), perm.data_ptr<std::int64_t>() + n};
}

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

std::shared_ptr<const ImageSource> subset(std::shared_ptr<const ImageSource> source, std::vector<std::int64_t> indices) {
  return std::make_shared<Subset>(std::move(source), std::move(indices));
}

std::pair<std::shared_ptr<const ImageSource>, std::shared_ptr<const ImageSource>> split_train_val(
    std::shared_ptr<const ImageSource> all, double fraction, std::uint64_t seed) {
  const std::int64_t n = all->size();
  const auto n_val = static_cast<std::int64_t>(static_cast<double>(n) * fraction + 0.5);
  if (n_val <= 0 || n_val >= n) throw Error("validation split leaves no training or no validation data");
  const std::vector<std::int64_t> perm = permutation(n, mix_seed(seed, 0x5eed5eedULL));
  const auto cut = perm.begin() + (n - n_val);
  return {subset(all, {perm.begin(), cut}), subset(all, {cut, perm.end()})};
}

std::shared_ptr<const ImageSource> seeded_subset(std::shared_ptr<const ImageSource> source, double amount,
                                                 std::uint64_t seed) {
  const std::int64_t n = source->size();
  const auto count = amount >= 1 ? static_cast<std::int64_t>(amount)
                                 : static_cast<std::int64_t>(std::llround(amount * static_cast<double>(n)));
  if (count > n) throw Error(fmt::format("a subset of {} samples from {}", count, n));
  if (count <= 0) throw Error(fmt::format("a subset of {} of {} samples is empty", amount, n));
  std::vector<std::int64_t> picked = permutation(n, mix_seed(seed, 0x50b5e7ULL));
  picked.resize(static_cast<std::size_t>(count));
  std::sort(picked.begin(), picked.end());
  return subset(std::move(source), std::move(picked));
}

}  // namespace razor::host
