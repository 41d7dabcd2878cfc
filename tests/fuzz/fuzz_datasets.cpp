// idx and cifar: dataset files as the built-in datasets read them from disk, plain or gzipped.
// idx input: one flag byte (bit 0: gzip the images, bit 1: gzip the labels), then
//   "<test images>\n%%\n<test labels>"; cifar input: one flag byte (bit 0: gzip), then test_batch.bin.
// Loaded data must keep the Dataset contract: N images in [0,1] and N labels in [0, classes).
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <ATen/ATen.h>
#include <zlib.h>

#include "cifar10_dataset.h"
#include "idx_dataset.h"
#include "fuzz_target.h"
#include "razor/errors.h"

namespace razor::fuzz {
namespace {

constexpr std::int64_t kClasses = 10;

std::string gzip(const std::string& bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Writes a dataset file as `name`, or gzipped as `name`.gz; the other spelling is removed.
void write_data_file(const std::string& name, const std::string& bytes, bool gzipped) {
  std::filesystem::remove(scratch_dir() + "/" + name);
  std::filesystem::remove(scratch_dir() + "/" + name + ".gz");
  write_scratch(gzipped ? name + ".gz" : name, bytes);
}

void require_contract(const LabelledImages& data) {
  const bool ok = data.images.dim() == 4 && data.labels.dim() == 1 && data.images.size(0) == data.labels.size(0) &&
                  data.images.min().item<float>() >= 0.f && data.images.max().item<float>() <= 1.f &&
                  data.labels.min().item<std::int64_t>() >= 0 &&
                  data.labels.max().item<std::int64_t>() < kClasses;
  if (!ok) {
    std::fprintf(stderr, "razor_fuzz: loaded data breaks the Dataset contract\n");
    std::abort();
  }
}

void run_idx(const std::string& bytes) {
  if (bytes.empty()) return;
  const auto parts = split_parts(bytes.substr(1));
  write_data_file("images", parts[0], bytes[0] & 1);
  write_data_file("labels", parts.size() > 1 ? parts[1] : "", bytes[0] & 2);
  const core::IdxDataset dataset(scratch_dir(), {"images", "labels", "images", "labels"}, kClasses);
  dataset.describe();  // reads only the headers; must not throw
  try {
    require_contract(dataset.load(Split::test));
  } catch (const DataError& e) {
    require_names(e.what(), scratch_dir());
    throw;
  }
}

void run_cifar(const std::string& bytes) {
  if (bytes.empty()) return;
  write_data_file("test_batch.bin", bytes.substr(1), bytes[0] & 1);
  const core::Cifar10Dataset dataset(scratch_dir());
  dataset.describe();
  try {
    require_contract(dataset.load(Split::test));
  } catch (const DataError& e) {
    require_names(e.what(), scratch_dir() + "/test_batch.bin");
    throw;
  }
}

std::string big_endian(std::uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
  std::string out = big_endian(0x803) + big_endian(n) + big_endian(rows) + big_endian(cols);
  for (std::uint32_t i = 0; i < n * rows * cols; ++i) out += char(i * 37);
  return out;
}

std::string idx_labels(std::uint32_t n) {
  std::string out = big_endian(0x801) + big_endian(n);
  for (std::uint32_t i = 0; i < n; ++i) out += char(i % kClasses);
  return out;
}

std::vector<Seed> idx_seeds() {
  const std::string images = idx_images(3, 4, 5), labels = idx_labels(3);
  return {{"plain", '\0' + join_parts({images, labels})},
          {"gzipped", '\3' + join_parts({gzip(images), gzip(labels)})},
          {"mixed", '\1' + join_parts({gzip(idx_images(2, 28, 28)), idx_labels(2)})},
          {"count_mismatch", '\0' + join_parts({images, idx_labels(2)})}};
}

std::vector<Seed> cifar_seeds() {
  std::string record(core::kCifarRecordBytes, '\0');
  for (std::size_t i = 1; i < record.size(); ++i) record[i] = char(i * 13);
  std::string two = record + record;
  two[core::kCifarRecordBytes] = 9;
  return {{"one", '\0' + record}, {"two_gzipped", '\1' + gzip(two)}, {"short", '\0' + record.substr(0, 100)}};
}

}  // namespace

const FuzzTarget& idx_target() {
  static const FuzzTarget t{"idx", "IDX image and label files (MNIST format), plain or gzipped", &run_idx, &idx_seeds};
  return t;
}

const FuzzTarget& cifar_target() {
  static const FuzzTarget t{"cifar", "a CIFAR-10 binary batch file, plain or gzipped", &run_cifar, &cifar_seeds};
  return t;
}

}  // namespace razor::fuzz
