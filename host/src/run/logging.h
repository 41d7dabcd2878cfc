#pragma once
#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace razor::host {

/// The run's logger: "[hh:mm:ss] message" on stderr.
std::shared_ptr<spdlog::logger> make_logger();
/// Also writes everything logged from now on to `file` (appending when resuming).
void add_file_log(spdlog::logger& logger, const std::string& file, bool append);

}  // namespace razor::host
