#include "session/worker_pool.h"

#include <algorithm>

#include <ATen/Parallel.h>

#include "parallel/world.h"

// LibTorch's CPU kernels run OpenMP teams sized by the calling thread's OpenMP setting, which a new
// thread takes from the run's thread count. Workers set theirs to 1 through OpenMP itself (the
// LibTorch call would change the count of every thread). Weak: absent when LibTorch has no OpenMP.
extern "C" void omp_set_num_threads(int) __attribute__((weak));

namespace razor::host {

WorkerPool::WorkerPool(std::int64_t threads) {
  for (std::int64_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

std::future<void> WorkerPool::submit(std::function<void()> task) {
  std::packaged_task<void()> job(std::move(task));
  std::future<void> done = job.get_future();
  if (threads_.empty()) {
    job();
    return done;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
  return done;
}

void WorkerPool::work() {
  at::get_num_threads();  // LibTorch's per-thread set-up first, so that the line below is the last word
  if (omp_set_num_threads) omp_set_num_threads(1);
  for (;;) {
    std::packaged_task<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

std::int64_t default_worker_count() {
  // The cores are shared among the processes of a multi-process run on this machine.
  const auto world = world_from_env();
  const std::int64_t cores = static_cast<std::int64_t>(std::thread::hardware_concurrency()) / (world ? world->local_size : 1);
  return std::clamp<std::int64_t>(cores, 1, 8);
}

}  // namespace razor::host
