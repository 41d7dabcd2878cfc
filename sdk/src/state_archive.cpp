// Text and random generators in LibTorch archives: stored as uint8 tensors.
#include <sstream>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor {

void write_text(torch::serialize::OutputArchive& archive, const std::string& key, const std::string& text) {
  auto bytes = at::empty({static_cast<std::int64_t>(text.size())}, at::kByte);
  std::copy(text.begin(), text.end(), bytes.data_ptr<std::uint8_t>());
  archive.write(key, bytes, /*is_buffer=*/true);
}

std::string read_text(torch::serialize::InputArchive& archive, const std::string& key) {
  at::Tensor bytes;
  if (!archive.try_read(key, bytes, /*is_buffer=*/true)) throw Error("state archive: missing entry '" + key + "'");
  bytes = bytes.contiguous().to(at::kByte);
  const auto* p = bytes.data_ptr<std::uint8_t>();
  return std::string(p, p + bytes.numel());
}

void write_rng(torch::serialize::OutputArchive& archive, const std::string& key, const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  write_text(archive, key, out.str());
}

void read_rng(torch::serialize::InputArchive& archive, const std::string& key, std::mt19937_64& rng) {
  std::istringstream in(read_text(archive, key));
  in >> rng;
  if (!in) throw Error("state archive: entry '" + key + "' is not a random generator state");
}

}  // namespace razor
