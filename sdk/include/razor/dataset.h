#pragma once
/// Dataset and ImageSource: where labelled images come from. A dataset opens each of its splits as an
/// ImageSource, an index of labelled samples whose pixels are read one at a time, on demand, from any
/// thread: a folder of JPEG files costs its index in memory, not its pixels. Small sets (the digits,
/// IDX and CIFAR-10 binaries) are held in memory and served by in_memory_source().
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <utility>

#include <ATen/core/Tensor.h>

#include "razor/component.h"

namespace razor {

enum class Split { train, val, test };
RAZOR_API const char* split_name(Split split);  // "train", "val", "test"

struct LabelledImages {
  at::Tensor images;  // [N, C, H, W] float32 in [0, 1]
  at::Tensor labels;  // [N] int64 in [0, classes)
};

/// One split: N labelled samples. A sample is a *picture*, uint8 [H, W, C] as decoded from a file, or
/// a *tensor*, float [C, H, W] in [0, 1]; the transforms (razor/transform.h) take either.
class RAZOR_API ImageSource {
 public:
  virtual ~ImageSource();
  virtual std::int64_t size() const = 0;
  /// Label of sample i, in [0, classes); from the index, without reading pixels.
  virtual std::int64_t label(std::int64_t i) const = 0;
  /// Sample i's pixels. Called from several threads at once. Throws DataError naming the file and the
  /// fault (a truncated or undecodable picture).
  virtual at::Tensor read(std::int64_t i) const = 0;
  /// Height and width of sample i as stored, from the index; {0, 0} when the index does not know them.
  /// The loader uses them to find, before training, pictures that would not batch together.
  virtual std::pair<std::int64_t, std::int64_t> stored_size(std::int64_t i) const;
  /// Sample i as messages name it: its file ("train/cat/0001.jpg") or "<source> sample i".
  virtual std::string name(std::int64_t i) const = 0;
};

/// Images held in memory: read(i) is a view of row i of data.images. `what` names the source in
/// messages ("digits train").
RAZOR_API std::shared_ptr<const ImageSource> in_memory_source(LabelledImages data, std::string what);

/// Every sample of a (small) source read into memory: images [N, C, H, W] float in [0, 1] (pictures
/// converted), labels [N]. Throws DataError naming the first sample whose size differs.
RAZOR_API LabelledImages read_all(const ImageSource& source);

class RAZOR_API Dataset : public Component {
 public:
  static constexpr const char* kKind = "dataset";
  ~Dataset() override;
  /// Whether the source has this split. Without a val split the run holds out part of train; without a
  /// test split it reports on val.
  virtual bool has_split(Split split) const = 0;
  /// Opens a split: builds its index (and checks what can be checked without decoding every picture).
  /// Throws DataError naming the file for missing or malformed data.
  virtual std::shared_ptr<const ImageSource> open(Split split) const = 0;
  virtual std::int64_t num_classes() const = 0;
  /// The classes' names in label order (the export records them); empty when the data set has none.
  virtual std::vector<std::string> class_names() const;
  /// One line for the log, e.g. "digits (embedded, 1797 8x8 images)".
  virtual std::string describe() const = 0;
};

}  // namespace razor
