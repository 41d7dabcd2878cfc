#pragma once
// PictureFiles: a split made of picture files (JPEG, PNG) with their labels — the source behind the
// image_folder and file_list data sets. Opening checks every file's header (readable, not empty, a
// picture, its size) so that such faults stop a run before training; pixels are decoded per read.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "razor/dataset.h"

namespace razor::core {

struct PictureFile {
  std::string path;
  std::int64_t label = 0;
};

/// The split's source; `channels` (1 or 3) is what every picture is converted to. Throws DataError
/// "<file>: <fault>" for the first file whose header cannot be read.
std::shared_ptr<const ImageSource> open_picture_files(std::vector<PictureFile> files, std::int64_t channels);

/// True when `path` ends in one of `extensions` (compared without case, e.g. ".jpg" matches "A.JPG").
bool has_extension(const std::string& path, const std::vector<std::string>& extensions);

}  // namespace razor::core
