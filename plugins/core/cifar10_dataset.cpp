#include "cifar10_dataset.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <filesystem>

#include "gzip_reader.h"
#include "razor/errors.h"

namespace razor::core {

namespace {

constexpr std::int64_t kPixels = 3 * 32 * 32;

const char* const kTrainFiles[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                   "data_batch_5.bin"};
const char* const kTestFiles[] = {"test_batch.bin"};

void check_size(std::size_t size, const std::string& name) {
  if (size == 0) throw DataError(name + ": empty file");
  if (size % kCifarRecordBytes != 0)
    throw DataError(fmt::format("{}: size {} bytes is not a multiple of the {}-byte record (1 label byte + 3x32x32 "
                                "pixels)",
                                name, size, kCifarRecordBytes));
}

}  // namespace

void decode_cifar_records(const std::string& bytes, const std::string& name, at::Tensor& images,
                          at::Tensor& labels, std::int64_t offset) {
  check_size(bytes.size(), name);
  const auto records = static_cast<std::int64_t>(bytes.size() / kCifarRecordBytes);
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  float* out_images = images.data_ptr<float>() + offset * kPixels;
  std::int64_t* out_labels = labels.data_ptr<std::int64_t>() + offset;
  for (std::int64_t r = 0; r < records; ++r) {
    const unsigned char* record = in + r * static_cast<std::int64_t>(kCifarRecordBytes);
    if (record[0] > 9)
      throw DataError(fmt::format("{}: record {} has label {}, expected 0..9", name, r, int(record[0])));
    out_labels[r] = record[0];
    float* dst = out_images + r * kPixels;
    for (std::int64_t i = 0; i < kPixels; ++i) dst[i] = static_cast<float>(record[1 + i]) / 255.0f;
  }
}

Cifar10Dataset::Cifar10Dataset(std::string root) : root_(std::move(root)) {}

Cifar10Dataset::Cifar10Dataset(const BuildContext&, const Options& options) : Cifar10Dataset(options.root) {}

std::vector<std::string> Cifar10Dataset::files(Split split) const {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const auto add = [&](const char* name) {
    const std::string plain = (fs::path(root_) / name).string();
    std::error_code ec;
    if (!fs::exists(plain, ec) && fs::exists(plain + ".gz", ec)) {
      out.push_back(plain + ".gz");
    } else {
      out.push_back(plain);  // read_file_bytes names it when missing
    }
  };
  if (split == Split::train) {
    for (const char* name : kTrainFiles) add(name);
  } else {
    for (const char* name : kTestFiles) add(name);
  }
  return out;
}

LabelledImages Cifar10Dataset::load(Split split) const {
  // Read every file first, so the output is allocated once.
  std::vector<std::pair<std::string, std::string>> batches;
  std::int64_t total = 0;
  for (const auto& file : files(split)) {
    std::string bytes = read_file_bytes(file);
    check_size(bytes.size(), file);
    total += static_cast<std::int64_t>(bytes.size() / kCifarRecordBytes);
    batches.emplace_back(file, std::move(bytes));
  }
  LabelledImages out;
  out.images = at::empty({total, 3, 32, 32}, at::kFloat);
  out.labels = at::empty({total}, at::kLong);
  std::int64_t offset = 0;
  for (auto& [file, bytes] : batches) {
    decode_cifar_records(bytes, file, out.images, out.labels, offset);
    offset += static_cast<std::int64_t>(bytes.size() / kCifarRecordBytes);
    std::string().swap(bytes);
  }
  return out;
}

std::string Cifar10Dataset::describe() const {
  namespace fs = std::filesystem;
  std::uintmax_t counts[2] = {0, 0};
  const Split splits[2] = {Split::train, Split::test};
  for (int i = 0; i < 2; ++i) {
    for (const auto& file : files(splits[i])) {
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      if (ec || is_gz_path(file) || size == 0 || size % kCifarRecordBytes != 0)
        return fmt::format("cifar10 ({}, 10 classes)", root_);
      counts[i] += size / kCifarRecordBytes;
    }
  }
  return fmt::format("cifar10 ({}: {} train + {} test images 3x32x32, 10 classes)", root_, counts[0], counts[1]);
}

}  // namespace razor::core
