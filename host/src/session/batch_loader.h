#pragma once
// BatchLoader: seeded shuffling, batching and the data pipeline. A batch is a pure function of
// (seed, epoch, index): each sample's transforms draw from a generator seeded by (seed, epoch, its
// position in the epoch), so resuming needs only the position, and the worker count changes nothing.
// Samples are read, decoded and transformed by a WorkerPool, a few batches ahead of the one asked for.
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/batch.h"
#include "razor/dataset.h"
#include "razor/transform.h"
#include "session/worker_pool.h"

namespace spdlog {
class logger;
}

namespace razor::host {

using Pipeline = std::vector<std::shared_ptr<const Transform>>;

struct LoaderSettings {
  Pipeline pipeline;                    // applied in order; a picture left at the end becomes a tensor
  std::vector<double> mean, std;        // then (x - mean) / std per channel (empty: none)
  std::shared_ptr<WorkerPool> workers;  // null: samples are prepared in the calling thread
  std::int64_t prefetch = 0;            // batches prepared ahead of the one asked for
  bool skip_bad = false;                // a sample that cannot be read is replaced by the next good one
  spdlog::logger* logger = nullptr;     // where skipped samples are reported
};

class BatchLoader {
 public:
  /// `shuffle` also drops the last incomplete batch (training); otherwise every sample is visited once
  /// in order (evaluation). Prepares sample 0 to learn the batch shape: throws DataError naming it
  /// when the pipeline fails on it, and names two samples whose stored sizes would give batches of
  /// mixed sizes.
  BatchLoader(std::shared_ptr<const ImageSource> source, std::int64_t batch_size, bool shuffle, std::uint64_t seed,
              LoaderSettings settings = {});
  /// Images held in memory.
  BatchLoader(LabelledImages data, std::int64_t batch_size, bool shuffle, std::uint64_t seed,
              LoaderSettings settings = {});
  ~BatchLoader();

  /// Data parallel: this loader gives rank `rank` of `world` its 1/world rows of every (global) batch:
  /// the very rows and augmentations a single process would give them. Training loaders only; the
  /// batch size must split evenly (else razor::Error).
  void shard(int rank, int world);

  std::int64_t batches_per_epoch() const;
  std::int64_t num_samples() const { return source_->size(); }
  /// [C, H, W] of every sample after the pipeline.
  const std::vector<std::int64_t>& sample_shape() const { return shape_; }
  const ImageSource& source() const { return *source_; }
  const std::shared_ptr<const ImageSource>& source_ptr() const { return source_; }
  /// Throws DataError naming the sample (file) that cannot be read or transformed.
  Batch batch(std::int64_t epoch, std::int64_t index) const;
  /// A loader like this one (batch size, order, pipeline, workers) over another source.
  std::unique_ptr<BatchLoader> with_source(std::shared_ptr<const ImageSource> source) const {
    return std::make_unique<BatchLoader>(std::move(source), batch_size_, shuffle_, seed_, settings_);
  }
  /// Samples skipped so far (skip_bad), by name.
  std::set<std::string> skipped() const;

 private:
  struct Pending {
    at::Tensor images, labels;
    std::vector<std::future<void>> parts;
  };
  Pending start(std::int64_t epoch, std::int64_t index) const;
  /// Source index `i` through the pipeline, as a float [C, H, W] tensor, and the index it came from
  /// (another when `i` could not be read and is skipped).
  std::pair<at::Tensor, std::int64_t> prepare(std::int64_t i, SampleRandom& random) const;
  std::pair<at::Tensor, std::int64_t> read_or_skip(std::int64_t i) const;
  /// The epoch's permutation; called with mutex_ held.
  const std::vector<std::int64_t>& order(std::int64_t epoch) const;
  void check_stored_sizes() const;
  void wait_all() const;

  std::shared_ptr<const ImageSource> source_;
  std::int64_t batch_size_;
  bool shuffle_;
  std::uint64_t seed_;
  LoaderSettings settings_;
  int rank_ = 0, world_ = 1;
  std::vector<std::int64_t> shape_;
  at::Tensor mean_, inv_std_;  // [C, 1, 1] or undefined
  mutable std::mutex mutex_;  // the order cache and the pending batches (never held by a worker)
  mutable std::int64_t cached_epoch_ = -1;
  mutable std::vector<std::int64_t> cached_order_;
  mutable std::map<std::pair<std::int64_t, std::int64_t>, Pending> pending_;
  mutable std::vector<std::future<void>> abandoned_;  // tasks of batches no longer wanted
  mutable std::pair<std::int64_t, std::int64_t> last_{-1, -1};  // the batch asked for last
  mutable std::mutex skip_mutex_;
  mutable std::set<std::string> skipped_;
};

}  // namespace razor::host
