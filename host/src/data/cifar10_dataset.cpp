#include "data/cifar10_dataset.h"

#include <filesystem>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "data/gzip_reader.h"
#include "razor/errors.h"

namespace razor::host {
namespace {

constexpr std::int64_t kImageBytes = 3 * 32 * 32;
constexpr std::int64_t kRecordBytes = kImageBytes + 1;

}  // namespace

LabelledImages parse_cifar_batch(const std::string& bytes, const std::string& name) {
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (size == 0 || size % kRecordBytes != 0) {
    throw DataError(fmt::format("{}: {} bytes is not a whole number of {}-byte CIFAR-10 records", name, size,
                                kRecordBytes));
  }
  const std::int64_t n = size / kRecordBytes;
  at::Tensor records = at::from_blob(const_cast<char*>(bytes.data()), {n, kRecordBytes}, at::kByte);
  at::Tensor labels = records.select(1, 0).to(at::kLong);
  if (const auto top = labels.max().item<std::int64_t>(); top > 9) {
    throw DataError(fmt::format("{}: label {} is out of range 0..9", name, top));
  }
  at::Tensor images = records.narrow(1, 1, kImageBytes).reshape({n, 3, 32, 32}).to(at::kFloat).div_(255.0f);
  return {images, labels};
}

Cifar10Dataset::Cifar10Dataset(std::string root) : root_(std::move(root)) {}

Cifar10Dataset::Cifar10Dataset(const BuildContext& ctx) : Cifar10Dataset(ctx.config().get<std::string>("root")) {}

LabelledImages Cifar10Dataset::load(Split split) const {
  std::vector<std::string> names;
  if (split == Split::train) {
    for (int i = 1; i <= 5; ++i) names.push_back(fmt::format("data_batch_{}.bin", i));
  } else {
    names.push_back("test_batch.bin");
  }
  std::vector<at::Tensor> images, labels;
  for (const auto& n : names) {
    const std::string file = (std::filesystem::path(root_) / n).string();
    auto part = parse_cifar_batch(read_file_bytes(file), file);
    images.push_back(part.images);
    labels.push_back(part.labels);
  }
  return {at::cat(images), at::cat(labels)};
}

}  // namespace razor::host
