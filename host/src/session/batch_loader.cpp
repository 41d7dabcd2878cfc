#include "session/batch_loader.h"

#include <algorithm>
#include <exception>
#include <chrono>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <spdlog/logger.h>

#include "razor/errors.h"
#include "session/source_subsets.h"

namespace razor::host {
namespace {

std::string shape_text(at::IntArrayRef s) { return fmt::format("{}", fmt::join(s, "x")); }

}  // namespace

BatchLoader::BatchLoader(std::shared_ptr<const ImageSource> source, std::int64_t batch_size, bool shuffle,
                         std::uint64_t seed, LoaderSettings settings)
    : source_(std::move(source)), batch_size_(batch_size), shuffle_(shuffle), seed_(seed),
      settings_(std::move(settings)) {
  if (source_->size() == 0) throw DataError("the data set has no samples");
  if (!settings_.mean.empty()) {
    const auto c = static_cast<std::int64_t>(settings_.mean.size());
    mean_ = at::tensor(settings_.mean, at::kFloat).view({c, 1, 1});
    inv_std_ = 1.0 / at::tensor(settings_.std, at::kFloat).view({c, 1, 1});
  }
  SampleRandom probe(0);
  shape_ = prepare(0, probe).first.sizes().vec();
  check_stored_sizes();
}

BatchLoader::BatchLoader(LabelledImages data, std::int64_t batch_size, bool shuffle, std::uint64_t seed,
                         LoaderSettings settings)
    : BatchLoader(in_memory_source(std::move(data), "in-memory data"), batch_size, shuffle, seed, std::move(settings)) {}

BatchLoader::~BatchLoader() { wait_all(); }

void BatchLoader::wait_all() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [key, p] : pending_)
    for (auto& f : p.parts) f.wait();
  pending_.clear();
  for (auto& f : abandoned_) f.wait();
  abandoned_.clear();
}

void BatchLoader::shard(int rank, int world) {
  if (!shuffle_) throw Error("only a training loader is split over ranks");
  if (batch_size_ % world != 0) {
    throw Error(fmt::format("batch size {} does not split evenly over {} processes: the batch size is the global one, "
                            "make it a multiple of the process count", batch_size_, world));
  }
  wait_all();  // batches prepared for the whole world
  rank_ = rank;
  world_ = world;
}

std::int64_t BatchLoader::batches_per_epoch() const {
  const std::int64_t n = num_samples();
  return shuffle_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

const std::vector<std::int64_t>& BatchLoader::order(std::int64_t epoch) const {
  if (epoch != cached_epoch_) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(mix_seed(seed_, static_cast<std::uint64_t>(epoch)));
    const at::Tensor perm = at::randperm(num_samples(), gen, at::TensorOptions().dtype(at::kLong));
    cached_order_.assign(perm.data_ptr<std::int64_t>(), perm.data_ptr<std::int64_t>() + perm.numel());
    cached_epoch_ = epoch;
  }
  return cached_order_;
}

std::pair<at::Tensor, std::int64_t> BatchLoader::read_or_skip(std::int64_t i) const {
  const std::int64_t n = num_samples();
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t j = (i + k) % n;
    try {
      return {source_->read(j), j};
    } catch (const DataError& e) {
      if (!settings_.skip_bad) throw;
      std::lock_guard<std::mutex> lock(skip_mutex_);
      if (skipped_.insert(source_->name(j)).second && settings_.logger)
        settings_.logger->warn("skipped a sample that cannot be read ({} so far): {}", skipped_.size(), e.what());
    }
  }
  throw DataError("no sample of the data set can be read");
}

std::pair<at::Tensor, std::int64_t> BatchLoader::prepare(std::int64_t i, SampleRandom& random) const {
  auto [x, used] = read_or_skip(i);
  try {
    for (const auto& t : settings_.pipeline) x = t->apply(std::move(x), random);
  } catch (const DataError& e) {
    throw DataError(fmt::format("{}: {}", source_->name(used), e.what()));
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("{}: {}", source_->name(used), e.what_without_backtrace()));
  }
  if (is_picture(x)) x = x.permute({2, 0, 1}).to(at::kFloat).div_(255.0);  // the implied to_tensor
  if (x.dim() != 3) throw DataError(fmt::format("{}: the pipeline gives a {}-dimensional sample", source_->name(used), x.dim()));
  return {x, used};
}

void BatchLoader::check_stored_sizes() const {
  const std::int64_t n = num_samples();
  std::int64_t first = -1;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto s = source_->stored_size(i);
    if (s.first == 0) continue;
    if (first < 0) {
      first = i;
    } else if (s != source_->stored_size(first)) {
      SampleRandom a(0), b(0);
      const at::Tensor x = prepare(first, a).first, y = prepare(i, b).first;
      if (x.sizes() == y.sizes()) return;  // the pipeline gives one size
      throw DataError(fmt::format(
          "{}: a {}x{} picture gives a {} sample where {} ({}x{}) gives {}: a batch needs one size; put resize, "
          "center_crop or random_resized_crop in the pipeline", source_->name(i), s.first, s.second,
          shape_text(y.sizes()), source_->name(first), source_->stored_size(first).first,
          source_->stored_size(first).second, shape_text(x.sizes())));
    }
  }
}

BatchLoader::Pending BatchLoader::start(std::int64_t epoch, std::int64_t index) const {
  const std::int64_t begin = index * batch_size_;
  const std::int64_t count = std::min(batch_size_, num_samples() - begin);
  const std::int64_t rows = world_ > 1 ? count / world_ : count, first = begin + rank_ * rows;
  std::vector<std::int64_t> samples(static_cast<std::size_t>(rows));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::int64_t r = 0; r < rows; ++r)
      samples[static_cast<std::size_t>(r)] = shuffle_ ? order(epoch)[static_cast<std::size_t>(first + r)] : first + r;
  }
  Pending p;
  std::vector<std::int64_t> sizes{rows};
  sizes.insert(sizes.end(), shape_.begin(), shape_.end());
  p.images = at::empty(sizes, at::kFloat);
  p.labels = at::empty({rows}, at::kLong);
  const std::int64_t parts = settings_.workers ? std::max<std::int64_t>(1, settings_.workers->threads()) : 1;
  const std::int64_t per_part = (rows + parts - 1) / parts;
  for (std::int64_t a = 0; a < rows; a += per_part) {
    const std::int64_t b = std::min(rows, a + per_part);
    auto task = [this, epoch, first, a, b, samples, images = p.images, labels = p.labels]() {
      auto* label_out = labels.data_ptr<std::int64_t>();
      for (std::int64_t r = a; r < b; ++r) {
        SampleRandom random(mix_seed(seed_, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(first + r) + 1));
        auto [x, used] = prepare(samples[static_cast<std::size_t>(r)], random);
        if (x.sizes() != images.sizes().slice(1))
          throw DataError(fmt::format("{}: gives a {} sample where the batch is {}: a batch needs one size; put resize, "
                                      "center_crop or random_resized_crop in the pipeline",
                                      source_->name(used), shape_text(x.sizes()), shape_text(images.sizes().slice(1))));
        at::Tensor slot = images[r];
        slot.copy_(x);
        if (mean_.defined() && slot.size(0) == mean_.size(0)) slot.sub_(mean_).mul_(inv_std_);  // else refused by the data setup
        label_out[r] = source_->label(used);
      }
    };
    if (settings_.workers) {
      p.parts.push_back(settings_.workers->submit(std::move(task)));
    } else {
      std::promise<void> done;
      task();
      done.set_value();
      p.parts.push_back(done.get_future());
    }
  }
  return p;
}

Batch BatchLoader::batch(std::int64_t epoch, std::int64_t index) const {
  Pending p;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = pending_.find({epoch, index}); it != pending_.end()) {
      p = std::move(it->second);
      pending_.erase(it);
    }
  }
  if (!p.images.defined()) p = start(epoch, index);
  if (settings_.workers && settings_.prefetch > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    // The batches that follow at the caller's stride (data-parallel evaluation asks for every
    // world-th batch), wrapping into the next epoch for training.
    const std::int64_t stride = last_.first == epoch && index > last_.second ? index - last_.second : 1;
    last_ = {epoch, index};
    std::vector<std::pair<std::int64_t, std::int64_t>> ahead;
    std::int64_t e = epoch, i = index;
    for (std::int64_t k = 0; k < settings_.prefetch; ++k) {
      if ((i += stride) >= batches_per_epoch()) {
        if (!shuffle_) break;
        ++e;
        i = 0;
      }
      ahead.emplace_back(e, i);
    }
    // Batches behind this one, and the farthest beyond twice the window, are abandoned: their tasks
    // finish unwatched (the destructor waits for them) rather than block this call.
    const std::pair<std::int64_t, std::int64_t> now{epoch, index};
    for (auto it = pending_.begin(); it != pending_.end();) {
      const bool wanted = std::find(ahead.begin(), ahead.end(), it->first) != ahead.end();
      if (wanted || (it->first > now && pending_.size() <= static_cast<std::size_t>(2 * settings_.prefetch))) {
        ++it;
        continue;
      }
      for (auto& f : it->second.parts) abandoned_.push_back(std::move(f));
      it = pending_.erase(it);
    }
    abandoned_.erase(std::remove_if(abandoned_.begin(), abandoned_.end(),
                                    [](const std::future<void>& f) {
                                      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
                                    }),
                     abandoned_.end());
    for (const auto& key : ahead) {
      if (pending_.count(key)) continue;
      mutex_.unlock();
      Pending next = start(key.first, key.second);
      mutex_.lock();
      pending_.emplace(key, std::move(next));
    }
  }
  // Every part is waited for before a failure is rethrown: a part still running would outlive the call.
  std::exception_ptr failed;
  for (auto& f : p.parts) {
    try {
      f.get();
    } catch (...) {
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
  return {p.images, p.labels};
}

std::set<std::string> BatchLoader::skipped() const {
  std::lock_guard<std::mutex> lock(skip_mutex_);
  return skipped_;
}

}  // namespace razor::host
