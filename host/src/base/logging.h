#pragma once
// The run's log, and how numbers appear in it.
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "razor/estimator.h"

namespace razor::host {

/// The run's logger: "[hh:mm:ss] message" on stderr.
std::shared_ptr<spdlog::logger> make_logger();
/// Also writes everything logged from now on to `file` (appending when resuming).
void add_file_log(spdlog::logger& logger, const std::string& file, bool append);

/// 774282 -> "774.3 K".
std::string si_text(double value);
/// {flops: 6.6e5, params: 2.5e4} -> "flops 665.9 K, params 25.5 K".
std::string costs_text(const Costs& costs);

}  // namespace razor::host
