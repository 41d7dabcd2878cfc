#include "stages/search/subnet_scorer.h"

#include "razor/errors.h"

namespace razor::host {
namespace {

Mutator& mutator_of(Algorithm& algorithm) {
  if (!algorithm.mutator()) throw Error("this algorithm has no mutator: there is nothing to search or choose");
  return *algorithm.mutator();
}

}  // namespace

SubnetScorer::SubnetScorer(Algorithm& algorithm, const BatchLoader& val, const BatchLoader& calibration,
                           ScoringOptions options, c10::Device device)
    : algorithm_(algorithm),
      mutator_(mutator_of(algorithm)),
      val_(val),
      calibration_(calibration),
      options_(options),
      device_(device),
      snapshot_(algorithm) {}

void SubnetScorer::calibrate() {
  if (options_.calibrate_samples <= 0) return;
  calibrate_batch_norm(
      algorithm_, [&](const at::Tensor& images) { algorithm_.predict(images); }, calibration_,
      options_.calibrate_samples, device_);
}

Accuracy SubnetScorer::score(const Subnet& subnet) {
  mutator_.set(subnet);
  calibrate();
  const Accuracy accuracy = evaluate(algorithm_, val_, device_, options_.norm_training);
  snapshot_.restore();
  return accuracy;
}

void SubnetScorer::prepare_for_export(const Subnet& subnet) {
  mutator_.set(subnet);
  calibrate();
}

}  // namespace razor::host
