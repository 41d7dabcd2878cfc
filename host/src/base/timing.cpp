#include "base/timing.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace razor::host {

LatencyRow time_calls(const std::function<void()>& forward, std::int64_t batch, std::int64_t runs,
                      std::int64_t warmup) {
  for (std::int64_t i = 0; i < warmup; ++i) forward();
  std::vector<double> ms;
  for (std::int64_t i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    forward();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1) + 0.5)]; };
  return {batch, at(0.5), at(0.1), at(0.9)};
}

}  // namespace razor::host
