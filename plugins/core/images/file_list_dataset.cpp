#include "images/file_list_dataset.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "gzip_reader.h"
#include "razor/errors.h"

namespace razor::core {

FileListDataset::FileListDataset(const BuildContext&, const Options& options) : options_(options) {
  classes_ = static_cast<std::int64_t>(options_.classes.size());
  if (classes_ == 0) {
    for (const auto& f : read_list(options_.train_list)) classes_ = std::max(classes_, f.label + 1);
  }
}

const std::string& FileListDataset::list(Split split) const {
  return split == Split::train ? options_.train_list : split == Split::val ? options_.val_list : options_.test_list;
}

std::vector<PictureFile> FileListDataset::read_list(const std::string& file) const {
  const std::string text = read_file_bytes(file);
  std::vector<PictureFile> out;
  std::size_t start = 0;
  for (std::int64_t line = 1; start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string row = text.substr(start, end - start);
    start = end + 1;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    if (row.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines
    const std::size_t last = row.find_last_not_of(" \t");
    const std::size_t space = row.find_last_of(" \t", last);
    if (space == std::string::npos)
      throw DataError(fmt::format("{}:{}: expected 'path label', got '{}'", file, line, row));
    const std::string path = row.substr(0, row.find_last_not_of(" \t", space) + 1);
    const std::string label = row.substr(space + 1, last - space);
    char* stop = nullptr;
    errno = 0;
    const long long value = std::strtoll(label.c_str(), &stop, 10);
    if (errno != 0 || *stop != '\0' || label.empty() || value < 0)
      throw DataError(fmt::format("{}:{}: label '{}' is not a non-negative integer", file, line, label));
    if (!options_.classes.empty() && value >= classes_)
      throw DataError(fmt::format("{}:{}: label {} is out of range 0..{} (classes has {} names)", file, line, value,
                                  classes_ - 1, classes_));
    const std::string full = options_.root.empty() ? path : (std::filesystem::path(options_.root) / path).string();
    out.push_back({full, static_cast<std::int64_t>(value)});
  }
  if (out.empty()) throw DataError(file + ": no pictures listed");
  return out;
}

std::shared_ptr<const ImageSource> FileListDataset::open(Split split) const {
  if (!has_split(split)) throw DataError(fmt::format("the file_list data set has no {} list", split_name(split)));
  std::vector<PictureFile> files = read_list(list(split));
  for (const auto& f : files)
    if (f.label >= classes_)
      throw DataError(fmt::format("{}: {} has label {}, the training list's labels are 0..{}", list(split), f.path,
                                  f.label, classes_ - 1));
  return open_picture_files(std::move(files), options_.channels);
}

std::string FileListDataset::describe() const {
  return fmt::format("file_list ({}, {} classes, {} channels)", options_.train_list, classes_, options_.channels);
}

}  // namespace razor::core
