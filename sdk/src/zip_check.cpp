#include "razor/zip_check.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "razor/errors.h"

namespace razor {
namespace {

constexpr std::uint32_t kEndOfDirectory = 0x06054b50, kZip64End = 0x06064b50, kZip64Locator = 0x07064b50,
                        kDirectoryEntry = 0x02014b50, kLocalHeader = 0x04034b50;
constexpr std::uint64_t kMaxEntries = 1 << 20;

std::uint64_t le(const std::string& bytes, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes.at(at + static_cast<std::size_t>(i)));
  return v;
}

[[noreturn]] void damaged(const std::string& what) { throw Error("damaged zip archive: " + what); }

class File {
 public:
  explicit File(const std::string& path) : in_(path, std::ios::binary | std::ios::ate) {
    if (!in_) throw Error("cannot open the file");
    size_ = static_cast<std::uint64_t>(in_.tellg());
  }
  std::uint64_t size() const { return size_; }
  /// `n` bytes at `offset`, which must lie inside the file (`what` says whose they are).
  std::string read(std::uint64_t offset, std::uint64_t n, const std::string& what) {
    if (offset > size_ || n > size_ - offset) damaged(fmt::format("{} lies outside the file ({} bytes)", what, size_));
    std::string bytes(static_cast<std::size_t>(n), '\0');
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(bytes.data(), static_cast<std::streamsize>(n));
    if (!in_) damaged(fmt::format("cannot read {}", what));
    return bytes;
  }

 private:
  std::ifstream in_;
  std::uint64_t size_ = 0;
};

/// The CRC-32 of an entry's data, inflated first when it is deflated (method 8).
std::uint32_t data_crc(File& file, std::uint64_t offset, std::uint64_t packed, std::uint64_t unpacked, int method,
                       const std::string& name) {
  constexpr std::uint64_t kChunk = 1 << 20;
  uLong crc = crc32(0L, Z_NULL, 0);
  if (method == 0) {
    if (packed != unpacked) damaged(fmt::format("entry '{}' is stored with {} bytes but records {}", name, packed, unpacked));
    for (std::uint64_t done = 0; done < packed;) {
      const std::uint64_t n = std::min(kChunk, packed - done);
      const std::string bytes = file.read(offset + done, n, fmt::format("entry '{}'", name));
      crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
      done += n;
    }
    return static_cast<std::uint32_t>(crc);
  }
  if (method != 8) throw Error(fmt::format("entry '{}' uses compression method {}, which razor does not read", name, method));
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw Error("zlib cannot start inflating");
  std::vector<unsigned char> out(static_cast<std::size_t>(kChunk));
  std::uint64_t produced = 0, consumed = 0;
  int status = Z_OK;
  std::string in;  // the chunk being inflated: zlib points into it
  while (status != Z_STREAM_END) {
    if (z.avail_in == 0 && consumed < packed) {
      in = file.read(offset + consumed, std::min(kChunk, packed - consumed), fmt::format("entry '{}'", name));
      consumed += in.size();
      z.next_in = reinterpret_cast<Bytef*>(in.data());
      z.avail_in = static_cast<uInt>(in.size());
    }
    do {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      status = inflate(&z, Z_NO_FLUSH);
      const std::uint64_t n = out.size() - z.avail_out;
      produced += n;
      if (status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && n > 0)) {
        inflateEnd(&z);
        damaged(fmt::format("entry '{}' does not inflate", name));
      }
      if (produced > unpacked) {
        inflateEnd(&z);
        damaged(fmt::format("entry '{}' inflates to more than the {} bytes it records", name, unpacked));
      }
      crc = crc32(crc, out.data(), static_cast<uInt>(n));
    } while (z.avail_out == 0 && status != Z_STREAM_END);
    if (status != Z_STREAM_END && z.avail_in == 0 && consumed >= packed) {
      inflateEnd(&z);
      damaged(fmt::format("entry '{}' ends before its data does", name));
    }
  }
  inflateEnd(&z);
  if (produced != unpacked) damaged(fmt::format("entry '{}' inflates to {} bytes but records {}", name, produced, unpacked));
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

void check_zip_archive(const std::string& path) {
  File file(path);
  // The end-of-central-directory record: in the last 22 + 65535 bytes (its comment may follow it).
  const std::uint64_t tail_size = std::min<std::uint64_t>(file.size(), 22 + 65535);
  const std::string tail = file.read(file.size() - tail_size, tail_size, "the end of the file");
  std::size_t end = std::string::npos;
  for (std::size_t i = tail.size() >= 22 ? tail.size() - 22 + 1 : 0; i-- > 0;) {
    if (le(tail, i, 4) == kEndOfDirectory) {
      end = i;
      break;
    }
  }
  if (end == std::string::npos) throw Error("not a zip archive: no end-of-central-directory record");
  std::uint64_t entries = le(tail, end + 10, 2), directory_size = le(tail, end + 12, 4), directory_at = le(tail, end + 16, 4);
  if (entries == 0xFFFF || directory_size == 0xFFFFFFFF || directory_at == 0xFFFFFFFF) {  // zip64
    if (end < 20 || le(tail, end - 20, 4) != kZip64Locator) damaged("zip64 sizes without a zip64 locator");
    const std::string record = file.read(le(tail, end - 20 + 8, 8), 56, "the zip64 end record");
    if (le(record, 0, 4) != kZip64End) damaged("the zip64 end record has no signature");
    entries = le(record, 32, 8), directory_size = le(record, 40, 8), directory_at = le(record, 48, 8);
  }
  if (entries > kMaxEntries) damaged(fmt::format("{} entries (razor reads at most {})", entries, kMaxEntries));
  const std::string directory = file.read(directory_at, directory_size, "the central directory");
  std::size_t at = 0;
  for (std::uint64_t e = 0; e < entries; ++e) {
    if (at + 46 > directory.size() || le(directory, at, 4) != kDirectoryEntry) {
      damaged(fmt::format("central directory entry {} is cut or has no signature", e));
    }
    const int method = static_cast<int>(le(directory, at + 10, 2));
    const auto crc = static_cast<std::uint32_t>(le(directory, at + 16, 4));
    std::uint64_t packed = le(directory, at + 20, 4), unpacked = le(directory, at + 24, 4);
    const std::size_t name_length = le(directory, at + 28, 2), extra_length = le(directory, at + 30, 2),
                      comment_length = le(directory, at + 32, 2);
    std::uint64_t local = le(directory, at + 42, 4);
    if (at + 46 + name_length + extra_length + comment_length > directory.size()) {
      damaged(fmt::format("central directory entry {} runs past the directory", e));
    }
    const std::string name = directory.substr(at + 46, name_length);
    // zip64 sizes and offset live in extra field 0x0001, in this order, for those that overflowed.
    for (std::size_t x = at + 46 + name_length; x + 4 <= at + 46 + name_length + extra_length;) {
      const std::uint64_t id = le(directory, x, 2), length = le(directory, x + 2, 2);
      std::size_t field = x + 4;
      if (id == 1) {
        for (std::uint64_t* v : {&unpacked, &packed, &local}) {
          if (*v != 0xFFFFFFFF) continue;
          if (field + 8 > x + 4 + length) damaged(fmt::format("entry '{}' has a cut zip64 field", name));
          *v = le(directory, field, 8);
          field += 8;
        }
      }
      x += 4 + length;
    }
    const std::string header = file.read(local, 30, fmt::format("the local header of entry '{}'", name));
    if (le(header, 0, 4) != kLocalHeader) damaged(fmt::format("entry '{}' has no local header at offset {}", name, local));
    const std::uint64_t local_name = le(header, 26, 2), local_extra = le(header, 28, 2);
    if (file.read(local + 30, local_name, fmt::format("the name of entry '{}'", name)) != name) {
      damaged(fmt::format("entry '{}' is named otherwise in its local header", name));
    }
    const std::uint32_t actual = data_crc(file, local + 30 + local_name + local_extra, packed, unpacked, method, name);
    if (actual != crc) damaged(fmt::format("entry '{}' fails its CRC-32 check", name));
    at += 46 + name_length + extra_length + comment_length;
  }
}

}  // namespace razor
