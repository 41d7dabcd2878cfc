#include "base/metrics_log.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iterator>

#include <fmt/format.h>

#include "base/atomic_file.h"

namespace razor::host {
namespace {

std::int64_t step_of(const std::string& line) {
  const auto at = line.find("\"step\":");
  return at == std::string::npos ? -1 : std::strtoll(line.c_str() + at + 7, nullptr, 10);
}

}  // namespace

MetricsLog::MetricsLog(const std::string& file, std::int64_t resume_step) {
  if (resume_step >= 0 && std::filesystem::exists(file)) {
    std::string kept;
    for (const auto& line : complete_lines(file))
      if (step_of(line) <= resume_step) kept += line + '\n';
    write_file_atomically(file, kept);
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

std::vector<std::string> complete_lines(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  for (std::size_t begin = 0, end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1)
    lines.push_back(text.substr(begin, end - begin));
  return lines;
}

}  // namespace razor::host
