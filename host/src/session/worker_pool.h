#pragma once
// WorkerPool: threads that run the data loader's decode-and-augment tasks, first in, first out.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace razor::host {

class WorkerPool {
 public:
  /// `threads` workers (0: every task runs in the thread that submits it). Each worker keeps LibTorch's
  /// operations single-threaded: the workers are the parallelism, and nested thread teams would fight
  /// the training step for the cores.
  explicit WorkerPool(std::int64_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::int64_t threads() const { return static_cast<std::int64_t>(threads_.size()); }
  /// Queues a task; its exception, if any, comes out of the future's get().
  std::future<void> submit(std::function<void()> task);

 private:
  void work();

  std::vector<std::thread> threads_;
  std::deque<std::packaged_task<void()>> queue_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool stopping_ = false;
};

/// The worker count `data.workers = -1` means: one per core, at most 8; the cores of a machine divided
/// among its processes in a multi-process run (LOCAL_WORLD_SIZE).
std::int64_t default_worker_count();

}  // namespace razor::host
