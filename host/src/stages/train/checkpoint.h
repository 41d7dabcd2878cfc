#pragma once
// Checkpoints: model (parameters and buffers), optimizer, component state, random generators and the
// data position. Sealed (train/sealed_file.h): written to a temporary file, synced and renamed, so a kill
// never leaves a half checkpoint, and checked against its SHA-256 on load.
#include <cstdint>
#include <string>

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include "razor/algorithm.h"

namespace razor::host {

struct TrainPosition {
  std::int64_t epoch = 0;  // epoch to continue in
  std::int64_t batch = 0;  // next batch index within that epoch
  std::int64_t step = 0;   // optimizer steps done
  double best_top1 = -1.0;
  std::int64_t world_size = 1;  // processes of the data-parallel run that wrote it
};

void save_checkpoint(const std::string& file, Algorithm& algorithm, const torch::optim::Optimizer& optimizer,
                     const TrainPosition& position, c10::Device device);

/// Restores everything save_checkpoint wrote; throws razor::Error naming the file when it is unreadable,
/// truncated or changed since written.
TrainPosition load_checkpoint(const std::string& file, Algorithm& algorithm, torch::optim::Optimizer& optimizer,
                              c10::Device device);

}  // namespace razor::host
