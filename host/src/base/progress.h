#pragma once
// Progress: a one-line bar with rate and ETA on a terminal; periodic log lines otherwise.
#include <chrono>
#include <cstdint>
#include <string>

#include <spdlog/logger.h>

namespace razor::host {

class Progress {
 public:
  Progress(spdlog::logger& logger, std::int64_t total_steps, std::int64_t first_step, std::int64_t log_interval);
  ~Progress();
  /// Whether update() at this step would print anything (so callers can skip building the status,
  /// which reads losses back from the device).
  bool due(std::int64_t step) const;
  /// Prints when due(step); `status` is e.g. "loss 0.123 lr 0.05".
  void update(std::int64_t step, std::int64_t epoch, std::int64_t epochs, const std::string& status);
  /// Ends the bar line before other output.
  void clear();

 private:
  spdlog::logger& logger_;
  std::int64_t total_, first_, interval_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

/// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace razor::host
