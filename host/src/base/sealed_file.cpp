#include "base/sealed_file.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "base/sha256.h"
#include "razor/errors.h"
#include "base/atomic_file.h"

namespace razor::host {
namespace {

constexpr const char* kMagic = "razor-sealed";

}  // namespace

void write_sealed(const std::string& path, const std::string& bytes) {
  write_file_atomically(path, fmt::format("{} 1 {} {}\n", kMagic, bytes.size(), sha256_hex(bytes)) + bytes);
}

std::string read_sealed(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot read the {}", path, what));
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.rfind("PK\x03\x04", 0) == 0) {
    throw Error(fmt::format("{}: an unsealed {} (written before razor sealed them, or not by razor): it cannot be "
                            "checked, so it is not loaded",
                            path, what));
  }
  const auto eol = all.find('\n');
  std::istringstream header(all.substr(0, eol == std::string::npos ? 0 : eol));
  std::string magic, version, sha;
  std::size_t size = 0;
  if (eol == std::string::npos || !(header >> magic) || magic != kMagic)
    throw Error(fmt::format("{}: not a razor {} (no '{} 1' header)", path, what, kMagic));
  if (!(header >> version) || version != "1") {
    throw Error(fmt::format("{}: a {} in format '{}', expected format 1 (written by another razor version?)", path,
                            what, version));
  }
  if (!(header >> size >> sha) || sha.size() != 64)
    throw Error(fmt::format("{}: damaged {}: its '{} 1' header has no size and SHA-256", path, what, kMagic));
  std::string bytes = all.substr(eol + 1);
  if (bytes.size() != size)
    throw Error(fmt::format("{}: damaged {}: {} bytes after the header, expected {} (truncated?)", path, what, bytes.size(), size));
  if (sha256_hex(bytes) != sha)
    throw Error(fmt::format("{}: damaged {}: its SHA-256 does not match the one written with it", path, what));
  return bytes;
}

}  // namespace razor::host
