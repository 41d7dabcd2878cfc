// Built-in datasets: the embedded digits, IDX and CIFAR-10 files written by the test, and every
// malformed-file fault with its exact one-line message.
#include <filesystem>
#include <fstream>
#include <numeric>

#include <ATen/ATen.h>
#include <zlib.h>

#include "data/cifar10_dataset.h"
#include "data/digits_dataset.h"
#include "data/gzip_reader.h"
#include "data/idx_dataset.h"
#include "razor/errors.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;
using namespace razor::host;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("razor_data_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_bytes(const std::string& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

void write_gz(const std::string& file, const std::string& bytes) {
  gzFile f = gzopen(file.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string idx_images(std::uint32_t n, std::uint32_t h, std::uint32_t w) {
  std::string s = be32(0x803) + be32(n) + be32(h) + be32(w);
  for (std::uint32_t i = 0; i < n * h * w; ++i) s.push_back(static_cast<char>(i % 256));
  return s;
}

std::string idx_labels(std::uint32_t n) {
  std::string s = be32(0x801) + be32(n);
  for (std::uint32_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % 10));
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const razor::DataError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("embedded digits: 1797 8x8 images with the known class counts") {
  DigitsDataset digits("");
  CHECK_FALSE(digits.has_split(razor::Split::test));
  auto d = digits.load(razor::Split::train);
  CHECK(d.images.sizes() == at::IntArrayRef({1797, 1, 8, 8}));
  CHECK(d.images.min().item<float>() == 0.0f);
  CHECK(d.images.max().item<float>() == 1.0f);
  // Class counts of the UCI optdigits test set.
  at::Tensor counts = at::bincount(d.labels);
  CHECK(counts.equal(at::tensor({178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, at::kLong)));
  // First row of the CSV: 0,0,5,13,9,1,0,0, ... label 0.
  CHECK(d.labels[0].item<std::int64_t>() == 0);
  CHECK(d.images[0][0][0].mul(16).equal(at::tensor({0.f, 0.f, 5.f, 13.f, 9.f, 1.f, 0.f, 0.f})));
  CHECK(digits.describe() == "digits (embedded, 1797 images 1x8x8, 10 classes)");
}

TEST_CASE("digits CSV faults name the file and line") {
  TempDir dir;
  std::string row(64 * 2, ',');
  for (std::size_t i = 0; i < row.size(); i += 2) row[i] = '1';
  const std::string good = row + "3\n";  // 64 ones then label 3
  write_bytes(dir.file("short.csv"), good + "1,2,3\n");
  CHECK(error_of([&] { DigitsDataset(dir.file("short.csv")); }) == dir.file("short.csv") + ":2: expected 65 values, got 3");
  write_bytes(dir.file("range.csv"), good + "17" + row.substr(1) + "3\n");
  CHECK(error_of([&] { DigitsDataset(dir.file("range.csv")); }) ==
        dir.file("range.csv") + ":2: column 1: pixel value 17 is out of range 0..16");
  write_bytes(dir.file("label.csv"), row + "10\n");
  CHECK(error_of([&] { DigitsDataset(dir.file("label.csv")); }) ==
        dir.file("label.csv") + ":1: column 65: label 10 is out of range 0..9");
  write_gz(dir.file("ok.csv.gz"), good + good);
  CHECK(DigitsDataset(dir.file("ok.csv.gz")).load(razor::Split::train).labels.equal(at::tensor({3, 3}, at::kLong)));
  CHECK(error_of([&] { DigitsDataset(dir.file("missing.csv")); }) ==
        dir.file("missing.csv") + ": cannot open: No such file or directory");
}

TEST_CASE("IDX files: plain and gzip round trip; every fault is one line naming the file") {
  TempDir dir;
  write_bytes(dir.file("train-images-idx3-ubyte"), idx_images(5, 3, 2));
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_labels(5));
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), idx_images(2, 3, 2));
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_labels(2));
  IdxFiles files;
  files.root = dir.path.string();
  IdxDataset idx(files);
  auto train = idx.load(razor::Split::train);
  CHECK(train.images.sizes() == at::IntArrayRef({5, 1, 3, 2}));
  CHECK(train.images.flatten()[7].item<float>() == doctest::Approx(7.0 / 255.0));
  CHECK(train.labels.equal(at::tensor({0, 1, 2, 3, 4}, at::kLong)));
  CHECK(idx.load(razor::Split::test).images.size(0) == 2);

  const std::string images = dir.file("train-images-idx3-ubyte");
  write_bytes(images, idx_images(5, 3, 2).substr(0, 20));
  CHECK(error_of([&] { idx.load(razor::Split::train); }) ==
        images + ": truncated: header says 5 images of 3x2 (46 bytes), file has 20");
  write_bytes(images, be32(0x801) + idx_images(5, 3, 2).substr(4));
  CHECK(error_of([&] { idx.load(razor::Split::train); }) ==
        images + ": not an IDX image file: magic number 0x00000801, expected 0x00000803");
  write_bytes(images, idx_images(4, 3, 2));
  CHECK(error_of([&] { idx.load(razor::Split::train); }) ==
        dir.file("train-labels-idx1-ubyte") + ": has 5 labels, expected one per image of " + images + " (4)");
  write_bytes(dir.file("t10k-images-idx3-ubyte.gz"), "\x1f\x8b garbage");
  CHECK(error_of([&] { idx.load(razor::Split::test); }).rfind(dir.file("t10k-images-idx3-ubyte.gz") + ": corrupt gzip data", 0) == 0);
  files.root = dir.file("nowhere");
  CHECK(error_of([&] { IdxDataset(files).load(razor::Split::train); }) ==
        dir.file("nowhere/train-images-idx3-ubyte") + ": cannot open: No such file or directory (nor " +
            dir.file("nowhere/train-images-idx3-ubyte.gz") + ")");
}

TEST_CASE("CIFAR-10 batches: records round trip, a bad size is refused") {
  TempDir dir;
  std::string record(3073, '\0');
  record[0] = 7;
  record[1] = static_cast<char>(255);                       // red channel, pixel (0, 0)
  record[1 + 1024 + 33] = static_cast<char>(51);            // green channel, pixel (1, 1)
  write_bytes(dir.file("test_batch.bin"), record + record);
  auto test = Cifar10Dataset(dir.path.string()).load(razor::Split::test);
  CHECK(test.images.sizes() == at::IntArrayRef({2, 3, 32, 32}));
  CHECK(test.labels.equal(at::tensor({7, 7}, at::kLong)));
  CHECK(test.images[0][0][0][0].item<float>() == 1.0f);
  CHECK(test.images[1][1][1][1].item<float>() == doctest::Approx(0.2));
  write_bytes(dir.file("test_batch.bin"), record + "xyz");
  CHECK(error_of([&] { Cifar10Dataset(dir.path.string()).load(razor::Split::test); }) ==
        dir.file("test_batch.bin") + ": 3076 bytes is not a whole number of 3073-byte CIFAR-10 records");
}

TEST_CASE("Fashion-MNIST from Debian's dataset-fashion-mnist") {
  IdxFiles files;
  files.root = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(files.root)) {
    MESSAGE("skipped: " << files.root << " is not installed");
    return;
  }
  IdxDataset fashion(files);
  auto train = fashion.load(razor::Split::train);
  CHECK(train.images.sizes() == at::IntArrayRef({60000, 1, 28, 28}));
  CHECK(train.images.mean().item<double>() == doctest::Approx(0.286).epsilon(0.004));
  CHECK(at::bincount(train.labels).equal(at::full({10}, 6000, at::kLong)));
  CHECK(fashion.load(razor::Split::test).labels.size(0) == 10000);
}
