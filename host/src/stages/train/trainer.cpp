#include "stages/train/trainer.h"

#include <chrono>
#include <filesystem>
#include <optional>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include "razor/epoch_listener.h"
#include "razor/errors.h"
#include "base/stop_request.h"
#include "stages/train/batch_norm.h"
#include "stages/train/gradients.h"
#include "base/progress.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

Losses average_over_ranks(Group& group, const Losses& losses) {
  std::vector<at::Tensor> values;
  for (const auto& [name, value] : losses) values.push_back(value.detach().to(at::kDouble).reshape({1}));
  if (values.empty()) return losses;
  std::vector<at::Tensor> sums{at::cat(values).to(group.device())};
  group.all_reduce_sum(sums);
  const at::Tensor mean = sums[0].cpu() / group.size();
  Losses out;
  std::int64_t i = 0;
  for (const auto& [name, value] : losses) out.emplace(name, mean[i++]);
  return out;
}

// Top-1/top-5 counts of `predict` over the loader (this rank's share of the batches), summed over ranks.
template <class Predict>
Accuracy count_hits(const Predict& predict, const BatchLoader& loader, c10::Device device, Group* group) {
  c10::NoGradGuard no_grad;
  std::int64_t correct1 = 0, correct5 = 0, total = 0;
  const std::int64_t first = group ? group->rank() : 0, stride = group ? group->size() : 1;
  for (std::int64_t i = first; i < loader.batches_per_epoch(); i += stride) {
    Batch b = loader.batch(0, i);
    at::Tensor logits = predict(b.inputs.to(device)).cpu();
    const std::int64_t k = std::min<std::int64_t>(5, logits.size(1));
    at::Tensor top = std::get<1>(logits.topk(k, 1));
    at::Tensor hits = top.eq(b.targets.view({-1, 1}));
    correct1 += hits.narrow(1, 0, 1).sum().item<std::int64_t>();
    correct5 += hits.sum().item<std::int64_t>();
    total += b.targets.size(0);
  }
  if (group) {
    std::vector<at::Tensor> counts{at::tensor({static_cast<double>(correct1), static_cast<double>(correct5),
                                               static_cast<double>(total)}, at::TensorOptions().dtype(at::kDouble))
                                       .to(group->device())};
    group->all_reduce_sum(counts);
    const at::Tensor sums = counts[0].cpu();
    correct1 = sums[0].item<std::int64_t>(), correct5 = sums[1].item<std::int64_t>(), total = sums[2].item<std::int64_t>();
  }
  return {100.0 * static_cast<double>(correct1) / static_cast<double>(total),
          100.0 * static_cast<double>(correct5) / static_cast<double>(total)};
}

}  // namespace

Accuracy evaluate(Algorithm& algorithm, const BatchLoader& loader, c10::Device device, bool batch_stats, Group* group) {
  const bool was_training = algorithm.is_training();
  algorithm.eval();
  Accuracy accuracy;
  {
    std::optional<BatchStatsGuard> stats;
    if (batch_stats) stats.emplace(algorithm);
    accuracy = count_hits([&](const at::Tensor& x) { return algorithm.predict(x); }, loader, device, group);
  }  // the statistics guard ends before the mode is restored, which it would otherwise undo
  algorithm.train(was_training);
  return accuracy;
}

Accuracy evaluate(Model& model, const BatchLoader& loader, c10::Device device, Group* group) {
  const bool was_training = model.is_training();
  model.eval();
  const Accuracy accuracy = count_hits([&](const at::Tensor& x) { return model.forward(x); }, loader, device, group);
  model.train(was_training);
  return accuracy;
}

Trainer::Trainer(TrainerSetup setup) : s_(std::move(setup)) {
  if (s_.group) {
    std::vector<at::Tensor> trained;  // a frozen teacher's weights never get gradients: not sent
    for (const auto& p : s_.algorithm->parameters())
      if (p.requires_grad()) trained.push_back(p);
    sync_.emplace(*s_.group, trained, s_.bucket_bytes);
  }
}

void Trainer::resume() {
  const std::string file = s_.work_dir + "/checkpoints/latest.pt";
  pos_ = load_checkpoint(file, *s_.algorithm, *s_.optimizer, s_.device);
  if (pos_.world_size != world_size()) {
    throw Error(fmt::format("{}: written by a run of {} process{}, this one has {}: resume with the same number "
                            "(razor-host launch --nproc {}, or WORLD_SIZE={})", file, pos_.world_size,
                            pos_.world_size == 1 ? "" : "es", world_size(), pos_.world_size, pos_.world_size));
  }
  resumed_ = true;
  s_.logger->info("resumed from {} at epoch {} batch {} (step {})", file, pos_.epoch + 1, pos_.batch, pos_.step);
}

void Trainer::checkpoint(bool is_best) {
  if (s_.group) sync_buffers(*s_.group, *s_.algorithm, s_.buffer_sync);
  if (!writes()) return;
  const std::string dir = s_.work_dir + "/checkpoints";
  save_checkpoint(dir + "/latest.pt", *s_.algorithm, *s_.optimizer, pos_, s_.device);
  if (is_best) {
    fs::copy_file(dir + "/latest.pt", dir + "/best.pt.tmp", fs::copy_options::overwrite_existing);
    fs::rename(dir + "/best.pt.tmp", dir + "/best.pt");
  }
}

Accuracy Trainer::run() {
  pos_.world_size = world_size();
  std::optional<MetricsLog> metrics;
  if (writes()) {
    fs::create_directories(s_.work_dir + "/checkpoints");
    metrics.emplace(s_.work_dir + "/metrics.jsonl", resumed_ ? pos_.step : -1);
  }
  const std::int64_t per_epoch = s_.span.steps_per_epoch;  // train.max_steps may end epochs early
  const std::int64_t total = per_epoch * s_.epochs;
  Progress progress(*s_.logger, total, pos_.step, s_.log_interval);
  const auto start = std::chrono::steady_clock::now();
  Accuracy last{-1, -1};

  if (Model* teacher = s_.algorithm->teacher(); teacher && pos_.step == 0) {
    const Accuracy t = evaluate(*teacher, *s_.val, s_.device, s_.group);
    s_.logger->info("teacher validation: top-1 {:.2f}% top-5 {:.2f}%", t.top1, t.top5);
  }
  s_.algorithm->train();
  auto* listener = dynamic_cast<EpochListener*>(s_.algorithm.get());
  while (pos_.epoch < s_.epochs) {
    if (listener) listener->epoch_begins(pos_.epoch);
    while (pos_.batch < per_epoch) {
      if (const int signal = s_.group ? pending_stop_ : stop_requested()) {
        checkpoint(false);
        progress.clear();
        throw Interrupted(signal, fmt::format("{} during training: checkpoint {}/checkpoints/latest.pt written at epoch {} "
                                              "batch {} (step {}); continue with --resume",
                                              signal_name(signal), s_.work_dir, pos_.epoch + 1, pos_.batch, pos_.step));
      }
      const double lr = s_.schedule->at(pos_.step, s_.span);
      set_learning_rate(*s_.optimizer, lr);
      Batch b = s_.train->batch(pos_.epoch, pos_.batch);
      b.inputs = b.inputs.to(s_.device);
      b.targets = b.targets.to(s_.device);
      clear_gradients(*s_.optimizer);
      Losses losses = s_.algorithm->train_step(b);
      // Data parallel: the ranks agree on stopping after this step, so they all stop at the same one.
      if (sync_) pending_stop_ = sync_->reduce(stop_requested());
      s_.optimizer->step();
      ++pos_.step;

      // Losses are read back (a device sync) only on steps that log or draw.
      const bool log_metrics = s_.log_interval > 0 && pos_.step % s_.log_interval == 0;
      if (log_metrics || progress.due(pos_.step)) {
        // Logged losses are the global batch's: the ranks' means averaged (log steps are the same on all ranks).
        if (s_.group && log_metrics) losses = average_over_ranks(*s_.group, losses);
        std::vector<std::pair<std::string, double>> values{{"lr", lr}};
        std::string status;
        for (const auto& [name, value] : losses) {
          values.emplace_back(name, value.item<double>());
          status += fmt::format("{} {:.4f} ", name, values.back().second);
        }
        if (log_metrics && metrics) metrics->write("train", pos_.epoch + 1, pos_.step, values);
        progress.update(pos_.step, pos_.epoch, s_.epochs, status + fmt::format("lr {:.4g}", lr));
      }
      ++pos_.batch;
      // Mid-epoch checkpoints; the epoch's end always writes one below.
      if (s_.checkpoint_interval > 0 && pos_.step % s_.checkpoint_interval == 0 && pos_.batch < per_epoch) {
        checkpoint(false);
      }
    }
    const bool last_epoch = pos_.epoch + 1 == s_.epochs;
    bool is_best = false;
    if (s_.group) {
      check_ranks_agree(*s_.group, *s_.algorithm, fmt::format("epoch {}", pos_.epoch + 1));
      sync_buffers(*s_.group, *s_.algorithm, s_.buffer_sync);
    }
    if ((pos_.epoch + 1) % s_.val_interval == 0 || last_epoch) {
      last = evaluate(*s_.algorithm, *s_.val, s_.device, false, s_.group);
      is_best = last.top1 > pos_.best_top1;
      if (is_best) pos_.best_top1 = last.top1;
      progress.clear();
      s_.logger->info("epoch {}/{} validation: top-1 {:.2f}% top-5 {:.2f}% (best {:.2f}%)", pos_.epoch + 1,
                      s_.epochs, last.top1, last.top5, pos_.best_top1);
      if (metrics) metrics->write("val", pos_.epoch + 1, pos_.step, {{"top1", last.top1}, {"top5", last.top5}});
    }
    ++pos_.epoch;
    pos_.batch = 0;
    checkpoint(is_best);
  }
  progress.clear();
  if (last.top1 < 0) last = evaluate(*s_.algorithm, *s_.val, s_.device, false, s_.group);  // resumed after the last epoch
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s_.logger->info("training done: validation top-1 {:.2f}% top-5 {:.2f}% (best {:.2f}%), {} in this run",
                  last.top1, last.top5, pos_.best_top1, format_duration(seconds));
  return last;
}

}  // namespace razor::host
