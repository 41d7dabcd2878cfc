#pragma once
// Trainer: the epoch/step loop shared by every algorithm: learning-rate schedule, optimizer step,
// logging, validation (top-1/top-5), checkpoints and exact resume.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>
#include <torch/optim/optimizer.h>

#include "parallel/gradient_sync.h"
#include "parallel/model_sync.h"
#include "razor/algorithm.h"
#include "razor/schedule.h"
#include "session/batch_loader.h"
#include "stages/train/checkpoint.h"
#include "base/metrics_log.h"

namespace razor::host {

struct Accuracy {
  double top1 = 0, top5 = 0;  // percent
};

/// Top-1/top-5 of `algorithm.predict` over every batch of `loader`, in eval mode, without gradients.
/// `batch_stats`: batch-norm layers normalise with batch statistics ("norm training" search scoring).
/// With a `group`, each rank evaluates every size()-th batch and the counts are summed over the ranks.
Accuracy evaluate(Algorithm& algorithm, const BatchLoader& loader, c10::Device device, bool batch_stats = false,
                  Group* group = nullptr);
/// The same for a model alone (a distillation teacher), in eval mode.
Accuracy evaluate(Model& model, const BatchLoader& loader, c10::Device device, Group* group = nullptr);

struct TrainerSetup {
  std::shared_ptr<Algorithm> algorithm;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::shared_ptr<Schedule> schedule;  // [schedule], applied to `span`
  ScheduleSpan span;  // its steps_per_epoch is how many batches an epoch takes
  std::unique_ptr<BatchLoader> train, val;
  std::int64_t epochs = 1, val_interval = 1, log_interval = 20, checkpoint_interval = 0;
  c10::Device device{c10::kCPU};
  std::string work_dir;
  std::shared_ptr<spdlog::logger> logger;
  // Data parallel (null: one process). The train loader is sharded already; rank 0 alone writes.
  Group* group = nullptr;
  BufferSync buffer_sync = BufferSync::average;
  std::int64_t bucket_bytes = 25 << 20;
};

class Trainer {
 public:
  explicit Trainer(TrainerSetup setup);
  /// Continues from work_dir/checkpoints/latest.pt.
  void resume();
  bool resumed() const { return resumed_; }
  /// Trains to the last epoch; returns the final validation accuracy.
  Accuracy run();

 private:
  void checkpoint(bool is_best);
  bool writes() const { return !s_.group || s_.group->rank() == 0; }
  int world_size() const { return s_.group ? s_.group->size() : 1; }

  TrainerSetup s_;
  std::optional<GradientSync> sync_;
  int pending_stop_ = 0;  // data parallel: the stop the ranks agreed on at the last step
  TrainPosition pos_;
  bool resumed_ = false;
};

}  // namespace razor::host
