#include "base/logging.h"

#include <c10/util/Exception.h>
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

void log_to_file(spdlog::logger& logger, const std::string& line) {
  for (const auto& sink : logger.sinks()) {
    if (auto file = std::dynamic_pointer_cast<spdlog::sinks::basic_file_sink_mt>(sink)) {
      file->log(spdlog::details::log_msg(logger.name(), spdlog::level::err, line));
      file->flush();
    }
  }
}

std::string error_line(const std::exception& e) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&e);
  const std::string message = c10 ? c10->what_without_backtrace() : e.what();
  std::string line = message.substr(0, message.find('\n'));
  if (line.find("failed in the TorchScript interpreter") != std::string::npos) {
    const auto end = message.find_last_not_of("\n ");
    if (end != std::string::npos) {
      const auto start = message.rfind('\n', end);
      const auto from = start == std::string::npos ? 0 : start + 1;
      line += " " + message.substr(from, end - from + 1);
    }
  }
  return line;
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
