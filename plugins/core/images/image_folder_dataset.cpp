#include "images/image_folder_dataset.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "images/picture_files.h"
#include "razor/errors.h"

namespace razor::core {
namespace fs = std::filesystem;
namespace {

void require_folder(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw DataError(fmt::format("{}: {} does not exist", path, what));
  if (!fs::is_directory(path, ec)) throw DataError(fmt::format("{}: {} is not a folder", path, what));
}

// Sub-folders of `dir` by name, sorted; hidden ones (".ipynb_checkpoints") are not classes.
std::vector<std::string> class_folders(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (it->is_directory(ec)) out.push_back(name);
  }
  if (ec) throw DataError(fmt::format("{}: cannot list ({})", dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

ImageFolderDataset::ImageFolderDataset(const BuildContext&, const Options& options) : options_(options) {
  require_folder(options_.root, "the data set's root");
  for (const Split s : {Split::train, Split::val, Split::test})
    if (has_split(s)) require_folder(dir(s), fmt::format("the {} folder", split_name(s)));
  const std::vector<std::string> found = class_folders(dir(Split::train));
  if (options_.classes.empty()) {
    classes_ = found;
    if (classes_.empty())
      throw DataError(fmt::format("{}: no class folders (expected one folder of pictures per class)", dir(Split::train)));
  } else {
    classes_ = options_.classes;
    for (const auto& c : classes_)
      if (std::find(found.begin(), found.end(), c) == found.end())
        throw DataError(fmt::format("{}: class folder '{}' (from classes) does not exist", dir(Split::train), c));
  }
}

std::string ImageFolderDataset::dir(Split split) const {
  const std::string& sub = split == Split::train ? options_.train_dir
                           : split == Split::val ? options_.val_dir
                                                 : options_.test_dir;
  if (split != Split::train && sub.empty()) return "";
  return sub.empty() ? options_.root : (fs::path(options_.root) / sub).string();
}

std::shared_ptr<const ImageSource> ImageFolderDataset::open(Split split) const {
  const std::string root = dir(split);
  if (root.empty()) throw DataError(fmt::format("{}: the image_folder data set has no {} folder", options_.root,
                                                split_name(split)));
  if (split != Split::train) {
    for (const auto& c : class_folders(root))
      if (std::find(classes_.begin(), classes_.end(), c) == classes_.end())
        throw DataError(fmt::format("{}: folder '{}' is not one of the {} training classes", root, c, classes_.size()));
  }
  std::vector<PictureFile> files;
  for (std::size_t label = 0; label < classes_.size(); ++label) {
    const fs::path folder = fs::path(root) / classes_[label];
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
      if (split == Split::train) throw DataError(fmt::format("{}: class folder does not exist", folder.string()));
      continue;  // a class without val or test pictures
    }
    std::vector<std::string> paths;
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::follow_directory_symlink, ec), end;
         !ec && it != end; it.increment(ec)) {
      if (!it->is_directory(ec) && has_extension(it->path().string(), options_.extensions))
        paths.push_back(it->path().string());
    }
    if (ec) throw DataError(fmt::format("{}: cannot list ({})", folder.string(), ec.message()));
    if (paths.empty())
      throw DataError(fmt::format("{}: empty class folder (no {} files)", folder.string(),
                                  fmt::join(options_.extensions, ", ")));
    std::sort(paths.begin(), paths.end());
    for (auto& p : paths) files.push_back({std::move(p), static_cast<std::int64_t>(label)});
  }
  return open_picture_files(std::move(files), options_.channels);
}

std::string ImageFolderDataset::describe() const {
  const std::size_t shown = std::min<std::size_t>(classes_.size(), 4);
  std::vector<std::string> head(classes_.begin(), classes_.begin() + static_cast<std::ptrdiff_t>(shown));
  return fmt::format("image_folder ({}, {} classes: {}{}, {} channels)", options_.root, classes_.size(),
                     fmt::join(head, ", "), shown < classes_.size() ? ", ..." : "", options_.channels);
}

}  // namespace razor::core
