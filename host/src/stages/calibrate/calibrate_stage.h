#pragma once
// The calibrate stage: a razor::Calibrated algorithm (quantization) watches `samples` training images,
// taken through the test pipeline in a seeded shuffle, without gradients, before it trains or exports.
#include <cstdint>

#include <c10/core/Device.h>
#include <spdlog/logger.h>

#include "razor/calibrated.h"
#include "session/batch_loader.h"

namespace razor::host {

/// Returns the number of images it observed (fewer than `samples` when the split has fewer).
std::int64_t run_calibration(Calibrated& algorithm, const BatchLoader& images, std::int64_t samples, c10::Device device,
                             spdlog::logger& log);

}  // namespace razor::host
