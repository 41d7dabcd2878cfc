#pragma once
// SubnetScorer: the validation accuracy of one subnet of a trained supernet. Batch-norm statistics
// are prepared for the chosen path first (recalibrated on training images, or batch statistics), and
// put back afterwards, so scoring never changes the supernet.
#include <cstdint>

#include "razor/algorithm.h"
#include "session/batch_loader.h"
#include "stages/train/batch_norm.h"
#include "stages/train/trainer.h"

namespace razor::host {

struct ScoringOptions {
  std::int64_t calibrate_samples = 1024;  // 0: keep the supernet's running statistics
  bool norm_training = false;             // normalise with batch statistics instead
};

class SubnetScorer {
 public:
  SubnetScorer(Algorithm& algorithm, const BatchLoader& val, const BatchLoader& calibration, ScoringOptions options,
               c10::Device device);
  /// Applies `subnet` and returns its validation accuracy; the supernet's statistics are restored after.
  Accuracy score(const Subnet& subnet);
  /// Applies `subnet` and recalibrates its batch-norm statistics for good (before an export).
  void prepare_for_export(const Subnet& subnet);

 private:
  void calibrate();

  Algorithm& algorithm_;
  Mutator& mutator_;
  const BatchLoader& val_;
  const BatchLoader& calibration_;
  ScoringOptions options_;
  c10::Device device_;
  BatchNormSnapshot snapshot_;
};

}  // namespace razor::host
