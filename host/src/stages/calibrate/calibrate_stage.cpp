#include "stages/calibrate/calibrate_stage.h"

#include <algorithm>
#include <chrono>

#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include "base/stop_request.h"
#include "razor/errors.h"

namespace razor::host {

std::int64_t run_calibration(Calibrated& algorithm, const BatchLoader& images, std::int64_t samples, c10::Device device,
                             spdlog::logger& log) {
  const auto start = std::chrono::steady_clock::now();
  c10::NoGradGuard no_grad;
  algorithm.begin_calibration();
  std::int64_t seen = 0;
  for (std::int64_t i = 0; i < images.batches_per_epoch() && seen < samples; ++i) {
    if (const int signal = stop_requested())
      throw Interrupted(signal, fmt::format("{} during calibration: nothing written; run it again", signal_name(signal)));
    at::Tensor batch = images.batch(0, i).inputs;
    batch = batch.narrow(0, 0, std::min(batch.size(0), samples - seen));
    algorithm.calibrate(batch.to(device));
    seen += batch.size(0);
  }
  algorithm.end_calibration();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log.info("calibrate: observed {} training images (test pipeline) in {:.1f} s", seen, seconds);
  return seen;
}

}  // namespace razor::host
