#pragma once
// dataset/idx: MNIST-format IDX files (MNIST, Fashion-MNIST), plain or gzip-compressed.
#include <cstdint>
#include <string>

#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::host {

struct IdxFiles {
  std::string root;
  std::string train_images = "train-images-idx3-ubyte", train_labels = "train-labels-idx1-ubyte";
  std::string test_images = "t10k-images-idx3-ubyte", test_labels = "t10k-labels-idx1-ubyte";
  std::int64_t num_classes = 10;
};

class IdxDataset final : public Dataset {
 public:
  explicit IdxDataset(IdxFiles files);
  /// Options: root, train_images, train_labels, test_images, test_labels, num_classes.
  explicit IdxDataset(const BuildContext& ctx);

  bool has_split(Split) const override { return true; }
  /// Images [N,1,H,W] float (byte/255), labels [N] int64. Each name is used as is when the file
  /// exists, else with ".gz". Throws DataError naming the file for any fault.
  LabelledImages load(Split split) const override;
  std::int64_t num_classes() const override { return files_.num_classes; }
  std::string describe() const override;

 private:
  IdxFiles files_;
};

/// Parses IDX image bytes (magic 0x00000803): [N,1,H,W] float in [0,1].
at::Tensor parse_idx_images(const std::string& bytes, const std::string& name);
/// Parses IDX label bytes (magic 0x00000801): [N] int64.
at::Tensor parse_idx_labels(const std::string& bytes, const std::string& name);

}  // namespace razor::host
