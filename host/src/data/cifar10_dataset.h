#pragma once
// dataset/cifar10: the binary version of CIFAR-10 (data_batch_1..5.bin, test_batch.bin).
#include <cstdint>
#include <string>

#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::host {

class Cifar10Dataset final : public Dataset {
 public:
  explicit Cifar10Dataset(std::string root);
  /// Options: root.
  explicit Cifar10Dataset(const BuildContext& ctx);

  bool has_split(Split) const override { return true; }
  /// Images [N,3,32,32] float (byte/255), labels [N] int64.
  LabelledImages load(Split split) const override;
  std::int64_t num_classes() const override { return 10; }
  std::string describe() const override { return "cifar10 (" + root_ + ")"; }

 private:
  std::string root_;
};

/// Parses records of 1 label byte + 3072 image bytes; throws DataError naming `name` when the size is
/// not a whole number of records or a label exceeds 9.
LabelledImages parse_cifar_batch(const std::string& bytes, const std::string& name);

}  // namespace razor::host
