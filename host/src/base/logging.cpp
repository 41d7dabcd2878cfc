#include "base/logging.h"

#include <fmt/format.h>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace razor::host {

std::shared_ptr<spdlog::logger> make_logger() {
  auto logger = std::make_shared<spdlog::logger>("razor", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("[%H:%M:%S] %v");
  return logger;
}

void add_file_log(spdlog::logger& logger, const std::string& file, bool append) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, !append);
  sink->set_pattern("[%Y-%m-%d %H:%M:%S] %v");
  logger.sinks().push_back(sink);
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
