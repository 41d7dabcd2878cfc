#pragma once
// dataset/idx: MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST, ...), plain or gzipped.
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::core {

/// File names inside the root directory (an absolute name ignores the root). For each, the plain
/// file is used when present, else the same name with ".gz"; a name ending in ".gz" is used as is.
struct IdxFileNames {
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
};

struct IdxOptions : Options<IdxOptions> {
  RAZOR_OPTION(std::string, root, "directory holding the four files", "/usr/share/datasets/fashion-mnist")
      .file_path();
  RAZOR_OPTION(std::string, train_images, "training images; the .gz file is used if the plain one is absent",
               "train-images-idx3-ubyte");
  RAZOR_OPTION(std::string, train_labels, "training labels; the .gz file is used if the plain one is absent",
               "train-labels-idx1-ubyte");
  RAZOR_OPTION(std::string, test_images, "test images; the .gz file is used if the plain one is absent",
               "t10k-images-idx3-ubyte");
  RAZOR_OPTION(std::string, test_labels, "test labels; the .gz file is used if the plain one is absent",
               "t10k-labels-idx1-ubyte");
  RAZOR_OPTION(std::int64_t, num_classes, "number of classes, 1..256; every label must be below it", 10)
      .check([](std::int64_t n) { return n >= 1 && n <= 256; }, "must be in 1..256");
};

class IdxDataset final : public Dataset {
 public:
  using Options = IdxOptions;
  IdxDataset(std::string root, IdxFileNames files, std::int64_t num_classes);
  IdxDataset(const BuildContext& ctx, const Options& options);

  bool has_split(Split split) const override { return split != Split::val; }
  /// Images [N,1,H,W] float = byte/255, labels [N] int64. Reads the files on every call.
  LabelledImages load(Split split) const;
  /// The split held in memory (load()).
  std::shared_ptr<const ImageSource> open(Split split) const override {
    return in_memory_source(load(split), std::string("idx ") + split_name(split));
  }
  std::int64_t num_classes() const override { return num_classes_; }
  /// "idx (<root>: 60000 train + 10000 test images 1x28x28, 10 classes)"; reads only the headers,
  /// and falls back to "idx (<root>, 10 classes)" when they cannot be read.
  std::string describe() const override;

  const std::string& root() const { return root_; }
  const IdxFileNames& files() const { return files_; }
  /// The file that will be read for a name: root/name, else root/name.gz. Throws DataError
  /// "<root>/<name>: cannot open: No such file or directory (nor <root>/<name>.gz)" when neither exists.
  std::string resolve(const std::string& name) const;

 private:
  std::string root_;
  IdxFileNames files_;
  std::int64_t num_classes_;
};

/// Decodes an IDX image file (magic 0x00000803) held in memory into [N,1,H,W] float in [0,1].
at::Tensor decode_idx_images(const std::string& bytes, const std::string& name);
/// Decodes an IDX label file (magic 0x00000801) into [N] int64, each checked < num_classes.
at::Tensor decode_idx_labels(const std::string& bytes, const std::string& name, std::int64_t num_classes);

}  // namespace razor::core
