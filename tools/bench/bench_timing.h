#pragma once
// Timing and set-up helpers shared by the benchmarks.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

namespace razor::bench {

/// The thread count from argv[1] (default: every core), set for ATen, with the generator seeded.
inline int set_up_threads(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : static_cast<int>(std::thread::hardware_concurrency());
  at::set_num_threads(threads);
  at::manual_seed(0);
  return threads;
}

/// Elements of all `tensors` (a parameter count).
inline double count_elements(const std::vector<at::Tensor>& tensors) {
  double n = 0;
  for (const auto& t : tensors) n += static_cast<double>(t.numel());
  return n;
}

/// Milliseconds per call of `step(i)`: median over `rounds` rounds of `steps` calls, after a warm-up.
inline double median_ms_per_step(const std::function<void(int)>& step, int steps, int rounds) {
  for (int i = 0; i < 20; ++i) step(i);
  std::vector<double> ms;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step(i);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / steps);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

/// Median ms per call of each of `steps`, over `rounds` rounds that run them in turn (so machine noise
/// hits all alike), `calls` calls per measurement.
inline std::vector<double> interleaved_median_ms(const std::vector<std::function<void(int)>>& steps, int calls,
                                                 int rounds) {
  std::vector<std::vector<double>> ms(steps.size());
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < steps.size(); ++i) ms[i].push_back(median_ms_per_step(steps[i], calls, 1));
  }
  std::vector<double> medians;
  for (auto& m : ms) {
    std::sort(m.begin(), m.end());
    medians.push_back(m[m.size() / 2]);
  }
  return medians;
}

}  // namespace razor::bench
