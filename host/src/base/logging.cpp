#include "base/logging.h"

#include <fmt/format.h>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace razor::host {

namespace {
// Lines logged before the log file exists (while a run is planned: weights loaded, components built)
// are kept, and written first when the file is added.
constexpr std::size_t kEarlyLines = 256;
}  // namespace

std::shared_ptr<spdlog::logger> make_logger() {
  auto logger = std::make_shared<spdlog::logger>(
      "razor", spdlog::sinks_init_list{std::make_shared<spdlog::sinks::stderr_sink_mt>(),
                                       std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kEarlyLines)});
  logger->set_pattern("[%H:%M:%S] %v");
  return logger;
}

void add_file_log(spdlog::logger& logger, const std::string& file, bool append) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, !append);
  sink->set_pattern("[%Y-%m-%d %H:%M:%S] %v");
  auto& sinks = logger.sinks();
  for (auto it = sinks.begin(); it != sinks.end(); ++it) {
    if (auto early = std::dynamic_pointer_cast<spdlog::sinks::ringbuffer_sink_mt>(*it)) {
      for (const auto& line : early->last_raw()) sink->log(line);
      sinks.erase(it);
      break;
    }
  }
  sinks.push_back(sink);
  logger.flush_on(spdlog::level::info);
}

std::string si_text(double v) {
  const char* units[] = {"", " K", " M", " G", " T"};
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  return fmt::format("{:.1f}{}", v, units[u]);
}

std::string costs_text(const Costs& costs) {
  std::string out;
  for (const auto& [name, v] : costs) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, si_text(v));
  return out;
}

}  // namespace razor::host
