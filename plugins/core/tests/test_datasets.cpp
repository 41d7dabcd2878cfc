// The core family's data sets: gzip reading, the embedded digits, IDX and CIFAR-10 files, their components.
#include <unistd.h>
#include <zlib.h>

#include <ATen/ATen.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "cifar10_dataset.h"
#include "digits_dataset.h"
#include "gzip_reader.h"
#include "idx_dataset.h"
#include "razor/errors.h"
#include "razor/plugin.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

namespace fs = std::filesystem;
using namespace razor::core;
using namespace razor::host;
using razor::Split;
using razor::test::error_of;

namespace {

// A temporary folder that can also write gzip files.
struct TempDir : razor::test::TempDir {
  TempDir() : razor::test::TempDir("data") {}
  // Written through zlib's gzip file interface, as gzip(1) would.
  std::string write_gz(const std::string& name, const std::string& bytes) const {
    gzFile gz = gzopen(file(name).c_str(), "wb");
    REQUIRE(gz != nullptr);
    REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
    REQUIRE(gzclose(gz) == Z_OK);
    return file(name);
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// An IDX image file: magic, count, rows, cols, then the given pixel bytes.
std::string idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const std::string& pixels,
                       std::uint32_t magic = 0x00000803) {
  std::string out;
  put_be32(out, magic);
  put_be32(out, count);
  put_be32(out, rows);
  put_be32(out, cols);
  return out + pixels;
}

std::string idx_labels(const std::vector<int>& labels, std::uint32_t magic = 0x00000801) {
  std::string out;
  put_be32(out, magic);
  put_be32(out, static_cast<std::uint32_t>(labels.size()));
  for (int l : labels) out.push_back(static_cast<char>(l));
  return out;
}

// Pixel bytes start, start+1, ... (mod 256).
std::string ramp(std::size_t n, int start) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((start + i) % 256);
  return out;
}

// True when `images` (flattened) holds ramp(n, start) / 255.
bool holds_ramp(const at::Tensor& images, int start) {
  const auto flat = images.contiguous().view({-1});
  const float* p = flat.data_ptr<float>();
  for (std::int64_t i = 0; i < flat.numel(); ++i)
    if (p[i] != static_cast<float>((start + i) % 256) / 255.0f) return false;
  return true;
}

std::vector<std::int64_t> as_vector(const at::Tensor& labels) {
  const auto* p = labels.data_ptr<std::int64_t>();
  return {p, p + labels.numel()};
}

// CIFAR-10 records: label, then 3072 pixel bytes; record r's pixels are ramp(3072, seed + r).
std::string cifar_records(const std::vector<int>& labels, int seed) {
  std::string out;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    out.push_back(static_cast<char>(labels[r]));
    out += ramp(3072, seed + static_cast<int>(r));
  }
  return out;
}

// The smallest BuildContext a dataset factory needs: a config view and nothing to build.
class TestContext final : public razor::BuildContext {
 public:
  explicit TestContext(std::shared_ptr<const razor::ConfigView> view) : view_(std::move(view)) {}
  const razor::ConfigView& config() const override { return *view_; }
  std::shared_ptr<razor::Component> build(const razor::ConfigView&, const std::string&) const override {
    throw razor::PluginError("no nested components in this test");
  }
  c10::Device device() const override { return c10::kCPU; }
  std::uint64_t seed() const override { return 0; }
  spdlog::logger& logger() const override { return *spdlog::default_logger(); }

 private:
  std::shared_ptr<const razor::ConfigView> view_;
};

}  // namespace

TEST_CASE("datasets: gzip reader") {
  TempDir dir;
  const std::string text = "hello, razor\n" + ramp(100000, 7);

  SUBCASE("plain and gzipped files read the same; concatenated members are joined") {
    CHECK(read_file_bytes(dir.write("a.bin", text)) == text);
    CHECK(read_file_bytes(dir.write_gz("a.bin.gz", text)) == text);
    const std::string first = slurp(dir.write_gz("x.gz", "first "));
    const std::string second = slurp(dir.write_gz("y.gz", "second"));
    CHECK(read_file_bytes(dir.write("xy.gz", first + second)) == "first second");
    CHECK(read_file_bytes(dir.write("empty.bin", "")).empty());
  }

  SUBCASE("missing, non-gzip, truncated and corrupt files name the file and the fault") {
    CHECK(error_of([&] { read_file_bytes(dir.file("nope.gz")); }) ==
          dir.file("nope.gz") + ": cannot open: No such file or directory");
    CHECK(error_of([&] { read_file_bytes(dir.path.string()); }) ==
          dir.path.string() + ": cannot open: Is a directory");
    CHECK(error_of([&] { read_file_bytes(dir.write("plain.gz", text)); }) ==
          dir.file("plain.gz") + ": corrupt gzip data (not in gzip format)");
    const std::string gz = slurp(dir.write_gz("good.gz", text));
    CHECK(error_of([&] { read_file_bytes(dir.write("cut.gz", gz.substr(0, gz.size() / 2))); }) ==
          dir.file("cut.gz") + ": corrupt gzip data (unexpected end of file)");
    std::string bad_crc = gz;
    bad_crc[bad_crc.size() - 8] ^= 0x55;  // the CRC-32 in the trailer
    CHECK(error_of([&] { read_file_bytes(dir.write("crc.gz", bad_crc)); }) ==
          dir.file("crc.gz") + ": corrupt gzip data (incorrect data check)");
    CHECK(error_of([&] { gunzip("\x1f\x8b", 2, "mem"); }) == "mem: corrupt gzip data (unexpected end of file)");
  }
}

TEST_CASE("datasets: digits") {
  SUBCASE("the embedded set: 1797 images of 1x8x8 in [0, 1], known labels and first image") {
    DigitsDataset digits("");
    CHECK(digits.has_split(Split::train));
    CHECK_FALSE(digits.has_split(Split::test));
    CHECK(digits.num_classes() == 10);
    CHECK(digits.describe() == "digits (embedded, 1797 images 1x8x8, 10 classes)");
    const auto data = digits.load(Split::train);
    REQUIRE(data.images.sizes() == at::IntArrayRef{1797, 1, 8, 8});
    REQUIRE(data.labels.sizes() == at::IntArrayRef{1797});
    CHECK((data.images.scalar_type() == at::kFloat));
    CHECK((data.labels.scalar_type() == at::kLong));
    CHECK(data.images.min().item<float>() == 0.0f);
    CHECK(data.images.max().item<float>() == 1.0f);

    const auto counts = as_vector(at::bincount(data.labels, {}, 10));
    std::int64_t total = 0;
    for (auto c : counts) {
      CHECK(c >= 170);
      CHECK(c <= 190);
      total += c;
    }
    CHECK(total == 1797);
    CHECK(counts == std::vector<std::int64_t>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180});

    const int first[64] = {0, 0, 5,  13, 9,  1,  0,  0, 0, 0, 13, 15, 10, 15, 5,  0, 0, 3,  15, 2, 0, 11,
                           8, 0, 0,  4,  12, 0,  0,  8, 8, 0, 0,  5,  8,  0,  0,  9, 8, 0,  0,  4, 11, 0,
                           1, 12, 7, 0,  0,  2,  14, 5, 10, 12, 0, 0, 0,  0,  6, 13, 10, 0, 0, 0};
    const float* pixels = data.images[0].contiguous().data_ptr<float>();
    for (int i = 0; i < 64; ++i) {
      CAPTURE(i);
      CHECK(pixels[i] == static_cast<float>(first[i]) / 16.0f);
    }
    CHECK(data.labels[0].item<std::int64_t>() == 0);
    CHECK(data.labels[1].item<std::int64_t>() == 1);

    // load() hands out copies: changing one does not change the next.
    data.images.zero_();
    CHECK(digits.load(Split::train).images.max().item<float>() == 1.0f);
    CHECK(error_of([&] { digits.load(Split::test); }) ==
          "digits (embedded, 1797 images 1x8x8, 10 classes): has no test split");
  }

  SUBCASE("a user CSV, plain or gzipped, in the same format") {
    TempDir dir;
    std::string row_a, row_b;
    for (int i = 0; i < 64; ++i) row_a += std::to_string(i % 17) + ",";
    for (int i = 0; i < 64; ++i) row_b += (i == 5 ? "16.0" : " 0") + std::string(",");
    const std::string csv = row_a + "3\r\n\n" + row_b + "9\n";
    for (const auto& file : {dir.write("mine.csv", csv), dir.write_gz("mine.csv.gz", csv)}) {
      CAPTURE(file);
      DigitsDataset digits(file);
      CHECK(digits.describe() == "digits (" + file + ", 2 images 1x8x8, 10 classes)");
      const auto data = digits.load(Split::train);
      REQUIRE(data.images.sizes() == at::IntArrayRef{2, 1, 8, 8});
      CHECK(as_vector(data.labels) == std::vector<std::int64_t>{3, 9});
      CHECK(data.images[0][0][2][1].item<float>() == static_cast<float>(17 % 17) / 16.0f);
      CHECK(data.images[0][0][1][7].item<float>() == 15.0f / 16.0f);
      CHECK(data.images[1][0][0][5].item<float>() == 1.0f);
      CHECK(data.images[1].sum().item<float>() == 1.0f);
    }
  }

  SUBCASE("malformed CSV names file:line and the fault") {
    TempDir dir;
    std::string good;
    for (int i = 0; i < 64; ++i) good += "1,";
    good += "2\n";
    const auto fails = [&](const std::string& second_line) {
      const auto file = dir.write("bad.csv", good + second_line + "\n" + good);
      return error_of([&] { DigitsDataset{file}; });
    };
    const std::string f = dir.file("bad.csv");
    CHECK(fails(good.substr(2, good.size() - 3)) == f + ":2: expected 65 values, got 64");
    CHECK(fails(good.substr(0, good.size() - 1) + ",4") == f + ":2: expected 65 values, got 66");
    CHECK(fails("17" + good.substr(1, good.size() - 2)) == f + ":2: column 1: pixel value 17 is out of range 0..16");
    CHECK(fails("1,-1" + good.substr(3, good.size() - 4)) ==
          f + ":2: column 2: pixel value -1 is out of range 0..16");
    CHECK(fails(good.substr(0, good.size() - 2) + "10") == f + ":2: column 65: label 10 is out of range 0..9");
    CHECK(fails("1,x" + good.substr(3, good.size() - 4)) == f + ":2: column 2: expected an integer, got 'x'");
    CHECK(fails("1,2.5" + good.substr(3, good.size() - 4)) == f + ":2: column 2: expected an integer, got '2.5'");
    CHECK(fails("1,," + good.substr(4, good.size() - 5)) == f + ":2: column 2: expected an integer, got ''");
    CHECK(error_of([&] { DigitsDataset{dir.write("empty.csv", "\n\n")}; }) ==
          dir.file("empty.csv") + ": no data rows");
    CHECK(error_of([&] { DigitsDataset{dir.file("absent.csv")}; }) ==
          dir.file("absent.csv") + ": cannot open: No such file or directory");
  }
}

TEST_CASE("datasets: idx files") {
  TempDir dir;
  const IdxFileNames names{"tr-img", "tr-lbl", "te-img", "te-lbl"};
  // Train: 3 images of 2x3, plain files; test: 2 images, gzipped.
  dir.write("tr-img", idx_images(3, 2, 3, ramp(18, 250)));
  dir.write("tr-lbl", idx_labels({2, 0, 1}));
  dir.write_gz("te-img.gz", idx_images(2, 2, 3, ramp(12, 40)));
  dir.write_gz("te-lbl.gz", idx_labels({1, 1}));
  const std::string root = dir.path.string();

  SUBCASE("plain and .gz files round-trip") {
    IdxDataset idx(root, names, 3);
    CHECK(idx.has_split(Split::train));
    CHECK(idx.has_split(Split::test));
    CHECK(idx.num_classes() == 3);
    CHECK(idx.describe() == "idx (" + root + ": 3 train + 2 test images 1x2x3, 3 classes)");
    CHECK(idx.resolve("tr-img") == dir.file("tr-img"));
    CHECK(idx.resolve("te-img") == dir.file("te-img.gz"));
    const auto train = idx.load(Split::train);
    REQUIRE(train.images.sizes() == at::IntArrayRef{3, 1, 2, 3});
    CHECK((train.images.scalar_type() == at::kFloat));
    CHECK(holds_ramp(train.images, 250));  // includes 255 -> 1.0 and 0 -> 0.0
    CHECK(train.images.max().item<float>() == 1.0f);
    CHECK(as_vector(train.labels) == std::vector<std::int64_t>{2, 0, 1});
    const auto test = idx.load(Split::test);
    REQUIRE(test.images.sizes() == at::IntArrayRef{2, 1, 2, 3});
    CHECK(holds_ramp(test.images, 40));
    CHECK(as_vector(test.labels) == std::vector<std::int64_t>{1, 1});

    // The plain file wins over the .gz one; a name ending in .gz is taken as is.
    dir.write("te-img", idx_images(2, 2, 3, ramp(12, 90)));
    CHECK(holds_ramp(idx.load(Split::test).images, 90));
    IdxDataset gz_named(root, {"tr-img", "tr-lbl", "te-img.gz", "te-lbl.gz"}, 3);
    CHECK(holds_ramp(gz_named.load(Split::test).images, 40));
  }

  SUBCASE("faults give one line naming the file") {
    const auto load_train = [&](std::int64_t classes = 3) {
      return error_of([&] { IdxDataset(root, names, classes).load(Split::train); });
    };
    const std::string img = dir.file("tr-img"), lbl = dir.file("tr-lbl");

    dir.write("tr-img", idx_images(3, 2, 3, ramp(10, 0)));
    CHECK(load_train() == img + ": truncated: header says 3 images of 2x3 (34 bytes), file has 26 bytes");
    dir.write("tr-img", idx_images(3, 2, 3, ramp(19, 0)));
    CHECK(load_train() == img + ": too long: header says 3 images of 2x3 (34 bytes), file has 35 bytes");
    dir.write("tr-img", idx_images(3, 2, 3, ramp(18, 0)).substr(0, 10));
    CHECK(load_train() == img + ": truncated: an IDX image file needs a 16-byte header, file has 10 bytes");
    dir.write("tr-img", idx_images(3, 0, 3, ""));
    CHECK(load_train() == img + ": bad header: images of 0x3 pixels");
    dir.write("tr-img", idx_images(3, 2, 3, ramp(18, 0), 0x00000801));
    CHECK(load_train() == img + ": not an IDX image file (magic number 0x00000801, expected 0x00000803)");
    dir.write("tr-img", idx_images(3, 2, 3, ramp(18, 0)));
    CHECK(load_train() == "(no error)");

    dir.write("tr-lbl", idx_labels({2, 0, 1}, 0x00000803));
    CHECK(load_train() == lbl + ": not an IDX label file (magic number 0x00000803, expected 0x00000801)");
    dir.write("tr-lbl", idx_labels({2, 0, 1}).substr(0, 10));
    CHECK(load_train() == lbl + ": truncated: header says 3 labels (11 bytes), file has 10 bytes");
    dir.write("tr-lbl", idx_labels({2, 0}));
    CHECK(load_train() == img + ": 3 images but " + lbl + " has 2 labels");
    dir.write("tr-lbl", idx_labels({2, 5, 1}));
    CHECK(load_train() == lbl + ": label 5 at index 1 is out of range 0..2");
    CHECK(load_train(10) == "(no error)");

    fs::remove(dir.path / "tr-lbl");
    CHECK(load_train() == lbl + ": cannot open: No such file or directory (nor " + lbl + ".gz)");
    const std::string gz = slurp(dir.file("te-lbl.gz"));
    dir.write("tr-lbl.gz", gz.substr(0, gz.size() - 6));
    CHECK(load_train() == lbl + ".gz: corrupt gzip data (unexpected end of file)");
    CHECK(error_of([&] { IdxDataset(root, {"tr-img", "tr-lbl", "te-img", "nope.gz"}, 3).load(Split::test); }) ==
          dir.file("nope.gz") + ": cannot open: No such file or directory");
    CHECK(IdxDataset(dir.file("nowhere"), names, 10).describe() == "idx (" + dir.file("nowhere") + ", 10 classes)");
  }
}

TEST_CASE("datasets: cifar10 binary batches") {
  TempDir dir;
  const std::string root = dir.path.string();
  for (int b = 1; b <= 5; ++b) {
    const std::string name = "data_batch_" + std::to_string(b) + ".bin";
    const std::string records = cifar_records({b, 9 - b}, 10 * b);
    if (b == 3) {
      dir.write_gz(name + ".gz", records);  // a gzipped batch is read too
    } else {
      dir.write(name, records);
    }
  }
  dir.write("test_batch.bin", cifar_records({0, 9, 4}, 200));
  Cifar10Dataset cifar(root);

  SUBCASE("records round-trip") {
    CHECK(cifar.has_split(Split::test));
    CHECK(cifar.num_classes() == 10);
    CHECK(cifar.files(Split::train)[2] == dir.file("data_batch_3.bin.gz"));
    CHECK(cifar.describe() == "cifar10 (" + root + ", 10 classes)");  // a gzipped batch cannot be sized
    const auto train = cifar.load(Split::train);
    REQUIRE(train.images.sizes() == at::IntArrayRef{10, 3, 32, 32});
    CHECK(as_vector(train.labels) == std::vector<std::int64_t>{1, 8, 2, 7, 3, 6, 4, 5, 5, 4});
    for (int r = 0; r < 10; ++r) {
      CAPTURE(r);
      CHECK(holds_ramp(train.images[r], 10 * (r / 2 + 1) + r % 2));
    }
    // Channel-major: the first 1024 bytes of a record are the red plane.
    CHECK(train.images[0][1][0][0].item<float>() == static_cast<float>((10 + 1024) % 256) / 255.0f);
    const auto test = cifar.load(Split::test);
    REQUIRE(test.images.sizes() == at::IntArrayRef{3, 3, 32, 32});
    CHECK(as_vector(test.labels) == std::vector<std::int64_t>{0, 9, 4});
    CHECK(holds_ramp(test.images[2], 202));

    dir.write("data_batch_3.bin", cifar_records({1}, 0));
    CHECK(cifar.describe() == "cifar10 (" + root + ": 9 train + 3 test images 3x32x32, 10 classes)");
  }

  SUBCASE("a bad size, a bad label or a missing file names the file") {
    dir.write("test_batch.bin", cifar_records({1, 2}, 0) + "12345");
    CHECK(error_of([&] { cifar.load(Split::test); }) ==
          dir.file("test_batch.bin") +
              ": size 6151 bytes is not a multiple of the 3073-byte record (1 label byte + 3x32x32 pixels)");
    dir.write("test_batch.bin", "");
    CHECK(error_of([&] { cifar.load(Split::test); }) == dir.file("test_batch.bin") + ": empty file");
    dir.write("test_batch.bin", cifar_records({1, 10}, 0));
    CHECK(error_of([&] { cifar.load(Split::test); }) ==
          dir.file("test_batch.bin") + ": record 1 has label 10, expected 0..9");
    fs::remove(dir.path / "data_batch_4.bin");
    CHECK(error_of([&] { cifar.load(Split::train); }) ==
          dir.file("data_batch_4.bin") + ": cannot open: No such file or directory");
  }
}

TEST_CASE("datasets: components build from config with their declared defaults") {
  // The datasets of the family's descriptor (compiled into this test).
  std::vector<razor::ComponentInfo> components;
  const razor::PluginDescriptor* core = RAZOR_PLUGIN_ENTRY();
  for (std::size_t i = 0; i < core->num_components; ++i)
    if (std::string(core->components[i].kind) == "dataset") components.push_back(core->components[i]);
  REQUIRE(components.size() == 5);  // digits, idx, cifar10, image_folder, file_list
  const auto info = [&](const std::string& name) -> const razor::ComponentInfo& {
    for (const auto& c : components)
      if (c.name == name) return c;
    FAIL("no dataset/" << name);
    throw std::logic_error("unreachable");
  };
  for (const auto& c : components) {
    CHECK(std::string(c.kind) == "dataset");
    CHECK((c.create != nullptr));
  }

  TempDir dir;
  dir.write("a-img", idx_images(3, 2, 3, ramp(18, 0)));
  dir.write("a-lbl", idx_labels({2, 0, 1}));
  dir.write("test_batch.bin", cifar_records({7}, 0));
  const auto config = dir.write("c.toml", "[digits]\n[idx]\nroot = '" + dir.path.string() +
                                              "'\ntrain_images = 'a-img'\ntrain_labels = 'a-lbl'\n"
                                              "[idx_defaults]\n[idx_bad]\nnum_classes = 0\n"
                                              "[cifar]\nroot = '" + dir.path.string() + "'\n[cifar_missing]\n");
  auto doc = load_config(config);
  const auto root = TomlConfigView(doc);
  const auto build = [&](const std::string& table, const std::string& name) {
    const auto& c = info(name);
    auto view = std::dynamic_pointer_cast<const TomlConfigView>(root.table(table))->bind(&c.options, "dataset/" + name);
    return std::dynamic_pointer_cast<razor::Dataset>(c.create(TestContext(view)));
  };

  CHECK(build("digits", "digits")->describe() == "digits (embedded, 1797 images 1x8x8, 10 classes)");

  auto idx = std::dynamic_pointer_cast<IdxDataset>(build("idx", "idx"));
  REQUIRE(idx);
  CHECK(idx->num_classes() == 10);
  CHECK(idx->files().test_labels == "t10k-labels-idx1-ubyte");
  CHECK(as_vector(idx->load(Split::train).labels) == std::vector<std::int64_t>{2, 0, 1});
  auto defaults = std::dynamic_pointer_cast<IdxDataset>(build("idx_defaults", "idx"));
  REQUIRE(defaults);
  CHECK(defaults->root() == "/usr/share/datasets/fashion-mnist");
  CHECK(defaults->files().train_images == "train-images-idx3-ubyte");
  CHECK(defaults->files().train_labels == "train-labels-idx1-ubyte");
  CHECK(defaults->files().test_images == "t10k-images-idx3-ubyte");
  CHECK(defaults->files().test_labels == "t10k-labels-idx1-ubyte");
  CHECK_THROWS_AS(build("idx_bad", "idx"), razor::ConfigError);
  CHECK(error_of([&] { build("idx_bad", "idx"); }).find("idx_bad.num_classes: must be in 1..256") !=
        std::string::npos);

  CHECK(as_vector(razor::read_all(*build("cifar", "cifar10")->open(Split::test)).labels) == std::vector<std::int64_t>{7});
  CHECK_THROWS_AS(build("cifar_missing", "cifar10"), razor::ConfigError);
}

TEST_CASE("datasets: Fashion-MNIST from the Debian package") {
  const std::string root = "/usr/share/datasets/fashion-mnist";
  REQUIRE_MESSAGE(fs::exists(root), root << " is absent (package dataset-fashion-mnist, which tools/bootstrap installs)");
  IdxDataset fashion(root, {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                            "t10k-labels-idx1-ubyte"},
                     10);
  CHECK(fashion.describe() == "idx (" + root + ": 60000 train + 10000 test images 1x28x28, 10 classes)");
  const auto train = fashion.load(Split::train);
  REQUIRE(train.images.sizes() == at::IntArrayRef{60000, 1, 28, 28});
  CHECK(train.labels.sizes() == at::IntArrayRef{60000});
  const double mean = train.images.sum(at::kDouble).item<double>() / static_cast<double>(train.images.numel());
  CHECK(std::abs(mean - 0.286) <= 0.001);
  CHECK(as_vector(at::bincount(train.labels, {}, 10)) == std::vector<std::int64_t>(10, 6000));
  const auto test = fashion.load(Split::test);
  CHECK(test.images.sizes() == at::IntArrayRef{10000, 1, 28, 28});
  CHECK(as_vector(at::bincount(test.labels, {}, 10)) == std::vector<std::int64_t>(10, 1000));
}
