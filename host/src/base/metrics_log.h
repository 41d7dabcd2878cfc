#pragma once
// metrics.jsonl: one JSON object per line (training steps, validation epochs).
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace razor::host {

class MetricsLog {
 public:
  /// Opens `file` for appending. When resuming at `resume_step`, records of later steps (written
  /// after that checkpoint by the interrupted run) and a half-written last line are dropped first (the
  /// file replaced atomically), so the log matches the weights.
  MetricsLog(const std::string& file, std::int64_t resume_step = -1);
  void write(const std::string& type, std::int64_t epoch, std::int64_t step,
             const std::vector<std::pair<std::string, double>>& values);

 private:
  std::ofstream out_;
};

/// The complete lines of `file`, without their newlines: a last line a killed run left half-written is
/// dropped. None when the file cannot be read.
std::vector<std::string> complete_lines(const std::string& file);

}  // namespace razor::host
