#include "images/picture_files.h"

#include <algorithm>
#include <cctype>

#include "gzip_reader.h"
#include "images/picture_decoder.h"
#include "razor/errors.h"

namespace razor::core {
namespace {

// Enough of a file for its header: JPEG's frame header follows the EXIF block, which is rarely larger.
constexpr std::size_t kHeaderBytes = 64 * 1024;

class PictureFileSource final : public ImageSource {
 public:
  PictureFileSource(std::vector<PictureFile> files, std::int64_t channels)
      : files_(std::move(files)), channels_(channels) {
    sizes_.reserve(files_.size());
    for (const auto& f : files_) {
      std::string start = read_file_start(f.path, kHeaderBytes);
      PictureHeader h;
      try {
        h = read_picture_header(start, f.path);
      } catch (const DataError&) {
        if (start.size() < kHeaderBytes) throw;
        h = read_picture_header(read_file_bytes(f.path), f.path);  // a header past the first bytes
      }
      sizes_.emplace_back(static_cast<std::int32_t>(h.height), static_cast<std::int32_t>(h.width));
    }
  }
  std::int64_t size() const override { return static_cast<std::int64_t>(files_.size()); }
  std::int64_t label(std::int64_t i) const override { return files_[static_cast<std::size_t>(i)].label; }
  at::Tensor read(std::int64_t i) const override {
    const std::string& path = files_[static_cast<std::size_t>(i)].path;
    return convert_channels(decode_picture(read_file_bytes(path), path), channels_);
  }
  std::pair<std::int64_t, std::int64_t> stored_size(std::int64_t i) const override {
    const auto& s = sizes_[static_cast<std::size_t>(i)];
    return {s.first, s.second};
  }
  std::string name(std::int64_t i) const override { return files_[static_cast<std::size_t>(i)].path; }

 private:
  std::vector<PictureFile> files_;
  std::vector<std::pair<std::int32_t, std::int32_t>> sizes_;
  std::int64_t channels_;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::shared_ptr<const ImageSource> open_picture_files(std::vector<PictureFile> files, std::int64_t channels) {
  return std::make_shared<PictureFileSource>(std::move(files), channels);
}

bool has_extension(const std::string& path, const std::vector<std::string>& extensions) {
  const std::string p = lower(path);
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& e) {
    const std::string ext = lower(e);
    return p.size() > ext.size() && p.compare(p.size() - ext.size(), ext.size(), ext) == 0;
  });
}

}  // namespace razor::core
