#pragma once
// dataset/cifar10: the CIFAR-10 binary version (data_batch_1.bin .. data_batch_5.bin, test_batch.bin).
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::core {

struct Cifar10Options : Options<Cifar10Options> {
  RAZOR_OPTION(std::string, root, "directory holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin",
               required)
      .file_path();
};

class Cifar10Dataset final : public Dataset {
 public:
  /// `root` holds the batch files; each may also be gzipped ("data_batch_1.bin.gz").
  explicit Cifar10Dataset(std::string root);
  /// Options: root.
  using Options = Cifar10Options;
  Cifar10Dataset(const BuildContext& ctx, const Options& options);

  bool has_split(Split split) const override { return split != Split::val; }
  /// Images [N,3,32,32] float = byte/255 (channel-major, as stored), labels [N] int64 in 0..9.
  LabelledImages load(Split split) const;
  /// The split held in memory (load()).
  std::shared_ptr<const ImageSource> open(Split split) const override {
    return in_memory_source(load(split), std::string("cifar10 ") + split_name(split));
  }
  std::int64_t num_classes() const override { return 10; }
  std::vector<std::string> class_names() const override {
    return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  }
  /// "cifar10 (<root>: 50000 train + 10000 test images 3x32x32, 10 classes)" from plain files' sizes;
  /// "cifar10 (<root>, 10 classes)" when they cannot be sized.
  std::string describe() const override;

  const std::string& root() const { return root_; }
  /// The files a split reads, in order (root/name, or root/name.gz when only that exists).
  std::vector<std::string> files(Split split) const;

 private:
  std::string root_;
};

/// Bytes per record: 1 label byte + 3x32x32 pixels.
inline constexpr std::size_t kCifarRecordBytes = 1 + 3 * 32 * 32;

/// Decodes records of one batch file into `images` ([N,3,32,32] float) and `labels` starting at
/// record `offset`; the caller sized the tensors. Throws DataError naming `name`.
void decode_cifar_records(const std::string& bytes, const std::string& name, at::Tensor& images,
                          at::Tensor& labels, std::int64_t offset);

}  // namespace razor::core
