#pragma once
// dataset/file_list: pictures listed in annotation files, one "relative/path.jpg label" per line
// (mmpretrain's format), paths relative to a root folder.
#include <cstdint>
#include <string>
#include <vector>

#include "images/picture_files.h"
#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::core {

struct FileListOptions : Options<FileListOptions> {
  RAZOR_OPTION(std::string, root, "folder the listed paths are relative to ('': the working directory)", "")
      .file_path();
  RAZOR_OPTION(std::string, train_list, "annotation file of the training pictures: 'path label' per line", required)
      .not_empty()
      .file_path();
  RAZOR_OPTION(std::string, val_list, "annotation file of the validation pictures ('': none, the run holds out part of train)",
               "")
      .file_path();
  RAZOR_OPTION(std::string, test_list, "annotation file of the test pictures ('': none)", "").file_path();
  RAZOR_OPTION(std::vector<std::string>, classes,
               "class names in label order ([]: labels 0 .. the largest in the training list)", {});
  RAZOR_OPTION(std::int64_t, channels, "pictures are converted to 1 (grey) or 3 (RGB) channels", 3)
      .check([](std::int64_t c) { return c == 1 || c == 3; }, "must be 1 or 3");
};

class FileListDataset final : public Dataset {
 public:
  using Options = FileListOptions;
  /// Reads the training list (for the number of classes); throws DataError "<list>:<line>: <fault>".
  FileListDataset(const BuildContext& ctx, const Options& options);

  bool has_split(Split split) const override { return !list(split).empty(); }
  std::shared_ptr<const ImageSource> open(Split split) const override;
  std::int64_t num_classes() const override { return classes_; }
  std::vector<std::string> class_names() const override { return options_.classes; }
  /// "file_list (<train list>, 10 classes)".
  std::string describe() const override;

 private:
  const std::string& list(Split split) const;
  /// The entries of one list; labels checked against the classes when they are known.
  std::vector<PictureFile> read_list(const std::string& file) const;

  Options options_;
  std::int64_t classes_ = 0;
};

}  // namespace razor::core
