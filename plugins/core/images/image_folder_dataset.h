#pragma once
// dataset/image_folder: pictures in one folder per class (torchvision's ImageFolder layout), with
// optional val and test folders of the same layout.
#include <cstdint>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::core {

struct ImageFolderOptions : Options<ImageFolderOptions> {
  RAZOR_OPTION(std::string, root, "folder of the data set", required).not_empty().file_path();
  RAZOR_OPTION(std::string, train_dir, "training folder below root, one sub-folder per class ('': root itself)", "");
  RAZOR_OPTION(std::string, val_dir, "validation folder below root, same layout ('': none, the run holds out part of train)",
               "");
  RAZOR_OPTION(std::string, test_dir, "test folder below root, same layout ('': none)", "");
  RAZOR_OPTION(std::vector<std::string>, classes,
               "class folders in label order ([]: every folder of the training folder, sorted by name)", {});
  RAZOR_OPTION(std::vector<std::string>, extensions, "picture files taken, by extension (case ignored)",
               {".jpg", ".jpeg", ".png"})
      .not_empty();
  RAZOR_OPTION(std::int64_t, channels, "pictures are converted to 1 (grey) or 3 (RGB) channels", 3)
      .check([](std::int64_t c) { return c == 1 || c == 3; }, "must be 1 or 3");
};

class ImageFolderDataset final : public Dataset {
 public:
  using Options = ImageFolderOptions;
  /// Finds the classes; throws DataError naming a missing root or folder.
  ImageFolderDataset(const BuildContext& ctx, const Options& options);

  bool has_split(Split split) const override { return !dir(split).empty(); }
  /// Lists the split's pictures (every file with one of the extensions, at any depth below a class
  /// folder, sorted by path) and checks their headers. Throws DataError for an empty class folder, a
  /// folder that is not a training class, or a file that is not a picture.
  std::shared_ptr<const ImageSource> open(Split split) const override;
  std::int64_t num_classes() const override { return static_cast<std::int64_t>(classes_.size()); }
  /// "image_folder (<root>, 10 classes: airplane, automobile, ...)".
  std::string describe() const override;
  std::vector<std::string> class_names() const override { return classes_; }

 private:
  /// The split's folder, "" when it has none.
  std::string dir(Split split) const;

  Options options_;
  std::vector<std::string> classes_;
};

}  // namespace razor::core
