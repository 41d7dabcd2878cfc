#include "idx_dataset.h"

#include <zlib.h>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <filesystem>
#include <optional>

#include "gzip_reader.h"
#include "razor/errors.h"

namespace razor::core {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr std::size_t kImagesHeader = 16;
constexpr std::size_t kLabelsHeader = 8;

std::uint32_t big_endian(const unsigned char* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

const unsigned char* bytes_of(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct ImagesHeader {
  std::uint32_t count, rows, cols;
};

// Validates the 16-byte header of an image file; `file_size` is checked only when given.
ImagesHeader check_images_header(const unsigned char* p, std::size_t available, const std::string& name) {
  if (available < kImagesHeader)
    throw DataError(fmt::format("{}: truncated: an IDX image file needs a {}-byte header, file has {} bytes", name,
                                kImagesHeader, available));
  const std::uint32_t magic = big_endian(p);
  if (magic != kImagesMagic)
    throw DataError(
        fmt::format("{}: not an IDX image file (magic number {:#010x}, expected {:#010x})", name, magic, kImagesMagic));
  ImagesHeader h{big_endian(p + 4), big_endian(p + 8), big_endian(p + 12)};
  if (h.count == 0) throw DataError(name + ": bad header: 0 images");
  if (h.rows == 0 || h.cols == 0)
    throw DataError(fmt::format("{}: bad header: images of {}x{} pixels", name, h.rows, h.cols));
  return h;
}

// A readable header prefix of a plain or gzipped file, without reading the rest; nullopt on failure.
std::optional<std::string> peek(const std::string& path, std::size_t size) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;  // a FIFO would block gzopen
  gzFile file = gzopen(path.c_str(), "rb");  // zlib reads plain files transparently
  if (!file) return std::nullopt;
  std::string bytes(size, '\0');
  const int got = gzread(file, bytes.data(), static_cast<unsigned>(size));
  gzclose(file);
  if (got != static_cast<int>(size)) return std::nullopt;
  return bytes;
}

}  // namespace

at::Tensor decode_idx_images(const std::string& bytes, const std::string& name) {
  const ImagesHeader h = check_images_header(bytes_of(bytes), bytes.size(), name);
  const unsigned __int128 pixels = static_cast<unsigned __int128>(h.count) * h.rows * h.cols;
  const unsigned __int128 expected = pixels + kImagesHeader;
  if (expected != bytes.size()) {
    throw DataError(fmt::format("{}: {}: header says {} images of {}x{} ({} bytes), file has {} bytes", name,
                                expected > bytes.size() ? "truncated" : "too long", h.count, h.rows, h.cols,
                                static_cast<std::uint64_t>(expected), bytes.size()));
  }
  at::Tensor images = at::empty({h.count, 1, h.rows, h.cols}, at::kFloat);
  float* out = images.data_ptr<float>();
  const unsigned char* in = bytes_of(bytes) + kImagesHeader;
  const auto n = static_cast<std::size_t>(pixels);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(in[i]) / 255.0f;
  return images;
}

at::Tensor decode_idx_labels(const std::string& bytes, const std::string& name, std::int64_t num_classes) {
  if (bytes.size() < kLabelsHeader)
    throw DataError(fmt::format("{}: truncated: an IDX label file needs an {}-byte header, file has {} bytes", name,
                                kLabelsHeader, bytes.size()));
  const unsigned char* p = bytes_of(bytes);
  const std::uint32_t magic = big_endian(p);
  if (magic != kLabelsMagic)
    throw DataError(
        fmt::format("{}: not an IDX label file (magic number {:#010x}, expected {:#010x})", name, magic, kLabelsMagic));
  const std::uint32_t count = big_endian(p + 4);
  if (count == 0) throw DataError(name + ": bad header: 0 labels");
  const std::uint64_t expected = std::uint64_t(count) + kLabelsHeader;
  if (expected != bytes.size()) {
    throw DataError(fmt::format("{}: {}: header says {} labels ({} bytes), file has {} bytes", name,
                                expected > bytes.size() ? "truncated" : "too long", count, expected, bytes.size()));
  }
  at::Tensor labels = at::empty({static_cast<std::int64_t>(count)}, at::kLong);
  auto* out = labels.data_ptr<std::int64_t>();
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::int64_t label = p[kLabelsHeader + i];
    if (label >= num_classes)
      throw DataError(fmt::format("{}: label {} at index {} is out of range 0..{}", name, label, i, num_classes - 1));
    out[i] = label;
  }
  return labels;
}

IdxDataset::IdxDataset(std::string root, IdxFileNames files, std::int64_t num_classes)
    : root_(std::move(root)), files_(std::move(files)), num_classes_(num_classes) {
  if (num_classes_ < 1 || num_classes_ > 256)
    throw Error(fmt::format("dataset/idx: num_classes {} is not in 1..256", num_classes_));
}

IdxDataset::IdxDataset(const BuildContext&, const Options& o)
    : IdxDataset(o.root, IdxFileNames{o.train_images, o.train_labels, o.test_images, o.test_labels}, o.num_classes) {}

std::string IdxDataset::resolve(const std::string& name) const {
  namespace fs = std::filesystem;
  const std::string plain = (fs::path(root_) / name).string();
  if (is_gz_path(plain)) return plain;  // read_file_bytes names it when missing
  std::error_code ec;
  if (fs::exists(plain, ec)) return plain;
  if (fs::exists(plain + ".gz", ec)) return plain + ".gz";
  throw DataError(plain + ": cannot open: No such file or directory (nor " + plain + ".gz)");
}

LabelledImages IdxDataset::load(Split split) const {
  const bool train = split == Split::train;
  const std::string images_file = resolve(train ? files_.train_images : files_.test_images);
  const std::string labels_file = resolve(train ? files_.train_labels : files_.test_labels);
  LabelledImages out;
  out.labels = decode_idx_labels(read_file_bytes(labels_file), labels_file, num_classes_);
  out.images = decode_idx_images(read_file_bytes(images_file), images_file);
  if (out.images.size(0) != out.labels.size(0))
    throw DataError(fmt::format("{}: {} images but {} has {} labels", images_file, out.images.size(0), labels_file,
                                out.labels.size(0)));
  return out;
}

std::string IdxDataset::describe() const {
  try {
    ImagesHeader h[2];
    const std::string* names[2] = {&files_.train_images, &files_.test_images};
    for (int i = 0; i < 2; ++i) {
      const std::string file = resolve(*names[i]);
      const auto header = peek(file, kImagesHeader);
      if (!header) throw DataError(file + ": unreadable");
      h[i] = check_images_header(bytes_of(*header), header->size(), file);
    }
    return fmt::format("idx ({}: {} train + {} test images 1x{}x{}, {} classes)", root_, h[0].count, h[1].count,
                       h[0].rows, h[0].cols, num_classes_);
  } catch (const Error&) {
    return fmt::format("idx ({}, {} classes)", root_, num_classes_);
  }
}

}  // namespace razor::core
