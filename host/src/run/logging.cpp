#include "run/logging.h"

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

}  // namespace razor::host
