#include "gzip_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include "razor/errors.h"

namespace razor::core {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& fault) {
  throw DataError(name + ": " + fault);
}

[[noreturn]] void fail_errno(const std::string& name, const char* what, int err) {
  fail(name, std::string(what) + ": " + std::strerror(err));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string read_plain(const std::string& path, std::size_t limit) {
  // Non-blocking: opening a FIFO would wait for a writer. Only regular files are read (a FIFO blocks,
  // a device such as /dev/zero never ends).
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) fail_errno(path, "cannot open", errno);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) fail_errno(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) fail_errno(path, "cannot open", EISDIR);
  if (!S_ISREG(st.st_mode)) fail(path, "not a regular file (a FIFO, a device or a socket)");
  std::string bytes;
  bytes.reserve(std::min(limit, static_cast<std::size_t>(st.st_size)));
  char buffer[1 << 16];
  while (bytes.size() < limit) {
    const ssize_t got = ::read(file.fd, buffer, std::min(sizeof buffer, limit - bytes.size()));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_errno(path, "read error", errno);
    }
    if (got == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(got));
  }
  return bytes;
}

}  // namespace

bool is_gz_path(const std::string& path) {
  return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

std::string gunzip(const void* data, std::size_t size, const std::string& name_for_errors) {
  const auto* in = static_cast<const unsigned char*>(data);
  if (size < 2 || in[0] != 0x1f || in[1] != 0x8b) fail(name_for_errors, "corrupt gzip data (not in gzip format)");

  std::string out;
  // The trailer's ISIZE (size mod 2^32 of the last member) is a good first guess; deflate cannot
  // expand more than ~1032:1, which bounds a corrupt trailer's claim.
  if (size >= 18) {
    const std::uint32_t isize = std::uint32_t(in[size - 4]) | std::uint32_t(in[size - 3]) << 8 |
                                std::uint32_t(in[size - 2]) << 16 | std::uint32_t(in[size - 1]) << 24;
    out.reserve(std::min<std::uint64_t>(isize, std::uint64_t(size) * 1032 + 1024));
  }

  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(name_for_errors, "cannot initialise zlib");
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};

  std::size_t consumed = 0;  // input bytes handed to zlib so far
  constexpr std::size_t kMaxChunk = std::numeric_limits<uInt>::max() / 2;
  char buffer[1 << 16];
  for (;;) {
    if (zs.avail_in == 0 && consumed < size) {
      const std::size_t chunk = std::min(size - consumed, kMaxChunk);
      zs.next_in = const_cast<Bytef*>(in + consumed);
      zs.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && consumed == size) break;
      // Another gzip member follows (as `cat a.gz b.gz` produces).
      if (inflateReset(&zs) != Z_OK) fail(name_for_errors, "cannot reset zlib");
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == size)
      fail(name_for_errors, "corrupt gzip data (unexpected end of file)");
    if (rc == Z_MEM_ERROR) fail(name_for_errors, "out of memory while decompressing");
    fail(name_for_errors, std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "unknown zlib error") + ")");
  }
  return out;
}

std::string read_file_bytes(const std::string& path) {
  std::string bytes = read_plain(path, std::string::npos);
  if (!is_gz_path(path)) return bytes;
  return gunzip(bytes.data(), bytes.size(), path);
}

std::string read_file_start(const std::string& path, std::size_t max_bytes) { return read_plain(path, max_bytes); }

}  // namespace razor::core
