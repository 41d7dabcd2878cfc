#include "data/idx_dataset.h"

#include <filesystem>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "data/gzip_reader.h"
#include "razor/errors.h"

namespace razor::host {
namespace {

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data()) + at;
  return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | std::uint32_t(b[3]);
}

// The header's dimensions, after checking the magic number and that the file is not cut short.
std::vector<std::int64_t> header(const std::string& bytes, const std::string& name, std::uint32_t magic,
                                 std::size_t dims) {
  const std::size_t header_size = 4 + 4 * dims;
  if (bytes.size() < header_size) {
    throw DataError(fmt::format("{}: truncated: expected a {}-byte IDX header, file has {} bytes", name,
                                header_size, bytes.size()));
  }
  if (const std::uint32_t got = big_endian(bytes, 0); got != magic) {
    throw DataError(fmt::format("{}: not an IDX {} file: magic number 0x{:08x}, expected 0x{:08x}", name,
                                dims == 3 ? "image" : "label", got, magic));
  }
  std::vector<std::int64_t> sizes;
  for (std::size_t i = 0; i < dims; ++i) sizes.push_back(big_endian(bytes, 4 + 4 * i));
  return sizes;
}

std::string resolve(const std::string& root, const std::string& file) {
  const std::string plain = (std::filesystem::path(root) / file).string();
  if (std::filesystem::exists(plain) || is_gz_path(plain)) return plain;
  const std::string gz = plain + ".gz";
  if (std::filesystem::exists(gz)) return gz;
  throw DataError(fmt::format("{}: cannot open: No such file or directory (nor {})", plain, gz));
}

}  // namespace

at::Tensor parse_idx_images(const std::string& bytes, const std::string& name) {
  const auto s = header(bytes, name, 0x00000803, 3);
  const std::int64_t n = s[0], h = s[1], w = s[2];
  const std::size_t expected = static_cast<std::size_t>(n * h * w) + 16;
  if (bytes.size() != expected) {
    throw DataError(fmt::format("{}: {}: header says {} images of {}x{} ({} bytes), file has {}", name,
                                bytes.size() < expected ? "truncated" : "trailing data", n, h, w, expected,
                                bytes.size()));
  }
  at::Tensor raw = at::from_blob(const_cast<char*>(bytes.data() + 16), {n, 1, h, w}, at::kByte);
  return raw.to(at::kFloat).div_(255.0f);
}

at::Tensor parse_idx_labels(const std::string& bytes, const std::string& name) {
  const std::int64_t n = header(bytes, name, 0x00000801, 1)[0];
  const std::size_t expected = static_cast<std::size_t>(n) + 8;
  if (bytes.size() != expected) {
    throw DataError(fmt::format("{}: {}: header says {} labels ({} bytes), file has {}", name,
                                bytes.size() < expected ? "truncated" : "trailing data", n, expected, bytes.size()));
  }
  return at::from_blob(const_cast<char*>(bytes.data() + 8), {n}, at::kByte).to(at::kLong);
}

IdxDataset::IdxDataset(IdxFiles files) : files_(std::move(files)) {}

IdxDataset::IdxDataset(const BuildContext& ctx)
    : files_{ctx.config().get<std::string>("root"),        ctx.config().get<std::string>("train_images"),
             ctx.config().get<std::string>("train_labels"), ctx.config().get<std::string>("test_images"),
             ctx.config().get<std::string>("test_labels"),  ctx.config().get<std::int64_t>("num_classes")} {
  if (files_.num_classes < 2) ctx.config().fail("num_classes", "must be at least 2");
}

LabelledImages IdxDataset::load(Split split) const {
  const bool train = split == Split::train;
  const std::string images_file = resolve(files_.root, train ? files_.train_images : files_.test_images);
  const std::string labels_file = resolve(files_.root, train ? files_.train_labels : files_.test_labels);
  LabelledImages out{parse_idx_images(read_file_bytes(images_file), images_file),
                     parse_idx_labels(read_file_bytes(labels_file), labels_file)};
  if (out.images.size(0) != out.labels.size(0)) {
    throw DataError(fmt::format("{}: has {} labels, expected one per image of {} ({})", labels_file,
                                out.labels.size(0), images_file, out.images.size(0)));
  }
  if (const auto top = out.labels.max().item<std::int64_t>(); top >= files_.num_classes) {
    throw DataError(fmt::format("{}: label {} is out of range 0..{} (num_classes = {})", labels_file, top,
                                files_.num_classes - 1, files_.num_classes));
  }
  return out;
}

std::string IdxDataset::describe() const {
  return fmt::format("idx ({}, {} classes)", files_.root, files_.num_classes);
}

}  // namespace razor::host
