#pragma once
// The run's log, and how numbers appear in it.
#include <exception>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "razor/estimator.h"

namespace razor::host {

/// The run's logger: "[hh:mm:ss] message" on stderr.
std::shared_ptr<spdlog::logger> make_logger();
/// Also writes everything logged from now on to `file` (appending when resuming).
void add_file_log(spdlog::logger& logger, const std::string& file, bool append);

/// Writes `line` to the log file only (for what main prints on stderr itself: the error or stop that ends a run).
void log_to_file(spdlog::logger& logger, const std::string& line);

/// An exception as one line: its first line, without LibTorch's backtrace; for the TorchScript
/// interpreter, whose first line only says that something failed, with the line that says what.
std::string error_line(const std::exception& e);

/// 774282 -> "774.3 K".
std::string si_text(double value);
/// {flops: 6.6e5, params: 2.5e4} -> "flops 665.9 K, params 25.5 K".
std::string costs_text(const Costs& costs);

}  // namespace razor::host
