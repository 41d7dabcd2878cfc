#pragma once
/// Dataset: an in-memory labelled image set (the sizes razor trains on fit in memory).
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "razor/component.h"

namespace razor {

enum class Split { train, test };

struct LabelledImages {
  at::Tensor images;  // [N, C, H, W] float32 in [0, 1]
  at::Tensor labels;  // [N] int64 in [0, classes)
};

class RAZOR_API Dataset : public Component {
 public:
  static constexpr const char* kKind = "dataset";
  ~Dataset() override;
  /// Whether the source has this split (the digits set has no test split; the runner then holds out
  /// part of train for validation).
  virtual bool has_split(Split split) const = 0;
  /// Loads a split; throws DataError naming the file for missing or malformed data.
  virtual LabelledImages load(Split split) const = 0;
  virtual std::int64_t num_classes() const = 0;
  /// One line for the log, e.g. "digits (embedded, 1797 8x8 images)".
  virtual std::string describe() const = 0;
};

}  // namespace razor
