#include "base/progress.h"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

namespace razor::host {

std::string format_duration(double seconds) {
  const auto s = static_cast<std::int64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

Progress::Progress(spdlog::logger& logger, std::int64_t total_steps, std::int64_t first_step,
                   std::int64_t log_interval)
    : logger_(logger), total_(total_steps), first_(first_step), interval_(log_interval),
      // No bar where info lines are off (the quiet ranks of a multi-process run).
      tty_(::isatty(STDERR_FILENO) == 1 && logger.should_log(spdlog::level::info)), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { clear(); }

bool Progress::due(std::int64_t step) const {
  if (interval_ > 0 && (step % interval_ == 0 || step == total_)) return true;
  return tty_ && (step == total_ || std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(100));
}

void Progress::update(std::int64_t step, std::int64_t epoch, std::int64_t epochs, const std::string& status) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(step - first_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - step) / rate : 0.0;
  if (interval_ > 0 && (step % interval_ == 0 || step == total_)) {
    clear();
    logger_.info("epoch {}/{} step {}/{} {:.1f} it/s ETA {} {}", epoch + 1, epochs, step, total_, rate,
                 format_duration(eta), status);
  }
  if (!tty_ || (now - last_draw_ < std::chrono::milliseconds(100) && step < total_)) return;
  last_draw_ = now;
  constexpr int kWidth = 24;
  const int filled = total_ > 0 ? static_cast<int>(kWidth * step / total_) : kWidth;
  std::fprintf(stderr, "\r\033[2Kepoch %lld/%lld [%s%s] %lld/%lld %.1f it/s ETA %s %s",
               static_cast<long long>(epoch + 1), static_cast<long long>(epochs),
               std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(),
               static_cast<long long>(step), static_cast<long long>(total_), rate,
               format_duration(eta).c_str(), status.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (drawn_) {
    std::fprintf(stderr, "\r\033[2K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace razor::host
