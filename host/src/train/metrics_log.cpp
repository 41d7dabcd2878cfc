#include "train/metrics_log.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

namespace razor::host {
namespace {

std::int64_t step_of(const std::string& line) {
  const auto at = line.find("\"step\":");
  return at == std::string::npos ? -1 : std::stoll(line.substr(at + 7));
}

}  // namespace

MetricsLog::MetricsLog(const std::string& file, std::int64_t resume_step) {
  if (resume_step >= 0 && std::filesystem::exists(file)) {
    std::ifstream in(file);
    std::stringstream kept;
    for (std::string line; std::getline(in, line);)
      if (step_of(line) <= resume_step) kept << line << '\n';
    in.close();
    std::ofstream(file, std::ios::trunc) << kept.str();
  }
  out_.open(file, resume_step >= 0 ? std::ios::app : std::ios::trunc);
}

void MetricsLog::write(const std::string& type, std::int64_t epoch, std::int64_t step,
                       const std::vector<std::pair<std::string, double>>& values) {
  std::string line = fmt::format("{{\"type\":\"{}\",\"epoch\":{},\"step\":{}", type, epoch, step);
  for (const auto& [k, v] : values) {
    line += std::isfinite(v) ? fmt::format(",\"{}\":{:.6g}", k, v) : fmt::format(",\"{}\":null", k);
  }
  out_ << line << "}\n";
  out_.flush();
}

}  // namespace razor::host
