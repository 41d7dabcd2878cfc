#pragma once
// dataset/digits: the 1797 8x8 handwritten digits embedded in razor-host (UCI optdigits test set,
// scikit-learn's copy), or a user CSV(.gz) file in the same format. Train split only.
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "razor/context.h"
#include "razor/dataset.h"

namespace razor::core {

struct DigitsOptions : Options<DigitsOptions> {
  RAZOR_OPTION(std::string, path,
               "CSV file (.gz is gunzipped) of 64 pixel values 0..16 then a label 0..9 per line; '' for the embedded copy",
               "")
      .file_path();
};

class DigitsDataset final : public Dataset {
 public:
  /// `path` "" loads the embedded copy; otherwise a CSV file (".gz" is gunzipped) with one image per
  /// line: 64 pixel values 0..16 (row-major 8x8) and then the label 0..9, comma-separated.
  /// Parses at once; throws DataError "file:line: fault" for malformed data.
  explicit DigitsDataset(const std::string& path);
  using Options = DigitsOptions;
  DigitsDataset(const BuildContext& ctx, const Options& options);

  bool has_split(Split split) const override { return split == Split::train; }
  /// Split::train: a copy of the images [N,1,8,8] float (pixel/16) and labels [N] int64.
  /// Split::test throws DataError.
  LabelledImages load(Split split) const;
  /// The split held in memory (load()).
  std::shared_ptr<const ImageSource> open(Split split) const override {
    return in_memory_source(load(split), std::string("digits ") + split_name(split));
  }
  std::int64_t num_classes() const override { return 10; }
  std::vector<std::string> class_names() const override { return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}; }
  /// "digits (embedded, 1797 images 1x8x8, 10 classes)" or "digits (<path>, ...)".
  std::string describe() const override;

  /// The configured path; "" for the embedded copy.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  LabelledImages data_;
};

/// Parses digits CSV text. `name` prefixes messages: "<name>:<line>: expected 65 values, got 64",
/// "<name>:<line>: column 3: pixel value 17 is out of range 0..16",
/// "<name>:<line>: column 65: label 10 is out of range 0..9",
/// "<name>:<line>: column 3: expected an integer, got 'x'", "<name>: no data rows".
LabelledImages parse_digits_csv(const std::string& text, const std::string& name);

/// The embedded digits.csv.gz, decompressed.
std::string embedded_digits_csv();

}  // namespace razor::core
