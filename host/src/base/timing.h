#pragma once
// Timing a call: warm-up calls, then timed calls one by one; the median and the spread (fastest and
// slowest tenth) in milliseconds. What `razor-host latency`, latency tables and export reports share.
#include <cstdint>
#include <functional>

namespace razor::host {

struct LatencyRow {
  std::int64_t batch = 0;
  double median_ms = 0, p10_ms = 0, p90_ms = 0;
};

/// Calls `forward` `warmup` times, then times `runs` calls one by one.
LatencyRow time_calls(const std::function<void()>& forward, std::int64_t batch, std::int64_t runs,
                      std::int64_t warmup);

}  // namespace razor::host
