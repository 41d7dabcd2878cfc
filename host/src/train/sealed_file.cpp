#include "train/sealed_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "plugins/sha256.h"
#include "razor/errors.h"

namespace razor::host {
namespace {

constexpr const char* kMagic = "razor-sealed";

// fsync of a file or folder, so that a rename is not reordered before the data on a crash.
void sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_sealed(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  const std::string header = fmt::format("{} 1 {} {}\n", kMagic, bytes.size(), sha256_hex(bytes));
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out.is_open()) throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(errno ? errno : EIO)));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      const std::string reason = errno ? std::strerror(errno) : "write failed";
      out.close();
      std::filesystem::remove(tmp);
      throw Error(fmt::format("{}: cannot write: {}", path, reason));
    }
  }
  sync_path(tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(fmt::format("{}: cannot write: {}", path, ec.message()));
  sync_path(std::filesystem::path(path).parent_path().string());
}

std::string read_sealed(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot read the {}", path, what));
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.rfind("PK\x03\x04", 0) == 0) return all;  // an unsealed archive from before
  const auto eol = all.find('\n');
  std::istringstream header(all.substr(0, eol == std::string::npos ? 0 : eol));
  std::string magic, version, sha;
  std::size_t size = 0;
  if (eol == std::string::npos || !(header >> magic >> version >> size >> sha) || magic != kMagic || version != "1")
    throw Error(fmt::format("{}: not a razor {} (no '{} 1' header)", path, what, kMagic));
  std::string bytes = all.substr(eol + 1);
  if (bytes.size() != size)
    throw Error(fmt::format("{}: damaged {}: {} bytes after the header, expected {} (truncated?)", path, what, bytes.size(), size));
  if (sha256_hex(bytes) != sha)
    throw Error(fmt::format("{}: damaged {}: its SHA-256 does not match the one written with it", path, what));
  return bytes;
}

}  // namespace razor::host
