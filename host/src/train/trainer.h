#pragma once
// Trainer: the epoch/step loop shared by every algorithm: learning-rate schedule, optimizer step,
// logging, validation (top-1/top-5), checkpoints and exact resume.
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <torch/optim/optimizer.h>

#include "razor/algorithm.h"
#include "train/batch_loader.h"
#include "train/checkpoint.h"
#include "train/lr_schedule.h"
#include "train/metrics_log.h"

namespace razor::host {

struct Accuracy {
  double top1 = 0, top5 = 0;  // percent
};

/// Top-1/top-5 of `algorithm.predict` over every batch of `loader`, in eval mode, without gradients.
/// `batch_stats`: batch-norm layers normalise with batch statistics ("norm training" search scoring).
Accuracy evaluate(Algorithm& algorithm, const BatchLoader& loader, c10::Device device, bool batch_stats = false);

struct TrainerSetup {
  std::shared_ptr<Algorithm> algorithm;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<LrSchedule> schedule;
  std::unique_ptr<BatchLoader> train, val;
  std::int64_t epochs = 1, val_interval = 1, log_interval = 20, checkpoint_interval = 0;
  c10::Device device{c10::kCPU};
  std::string work_dir;
  std::shared_ptr<spdlog::logger> logger;
};

class Trainer {
 public:
  explicit Trainer(TrainerSetup setup);
  /// Continues from work_dir/checkpoints/latest.pt.
  void resume();
  /// Trains to the last epoch; returns the final validation accuracy.
  Accuracy run();

 private:
  void checkpoint(bool is_best);

  TrainerSetup s_;
  TrainPosition pos_;
  bool resumed_ = false;
};

}  // namespace razor::host
