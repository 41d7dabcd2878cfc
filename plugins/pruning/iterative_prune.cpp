#include "iterative_prune.h"

#include <algorithm>
#include <sstream>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor::pruning {
namespace {

void check_ratio(const ConfigView& config, const std::string& key, double ratio) {
  if (!(ratio > 0 && ratio <= 1)) config.fail(key, fmt::format("keep ratio {} is not in (0, 1]", ratio));
}

/// The `k` channels of `active` with the highest scores (ties: the lower channel), ascending.
std::vector<std::int64_t> most_important(const std::vector<std::int64_t>& active, const at::Tensor& scores,
                                         std::int64_t k) {
  const at::Tensor s = scores.to(at::kDouble).cpu().contiguous();
  const double* score = s.data_ptr<double>();
  std::vector<std::int64_t> order = active;
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return score[a] > score[b]; });
  order.resize(static_cast<std::size_t>(k));
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace

std::optional<double> scheduled_ratio(std::int64_t step, std::int64_t step_freq, std::int64_t prune_times,
                                      double keep_ratio) {
  if (step % step_freq != 0 || step / step_freq >= prune_times) return std::nullopt;
  const double t = static_cast<double>(step / step_freq + 1);
  return 1.0 + (keep_ratio - 1.0) * t / static_cast<double>(prune_times);
}

void IterativePruneOptions::validate(const ConfigView& cfg) const { check_ratio(cfg, "keep_ratio", keep_ratio); }

IterativePrune::IterativePrune(const BuildContext& ctx, const Options& options)
    : architecture_(register_module("architecture", ctx.build(options.architecture))),
      loss_(register_module("loss", ctx.build(options.loss))),
      channels_(std::dynamic_pointer_cast<ChannelMutator>(ctx.build(options.mutator))),
      pruner_(ctx.build(options.pruner)),
      keep_ratio_(options.keep_ratio),
      step_freq_(options.step_freq),
      prune_times_(options.prune_times) {
  const ConfigView& c = ctx.config();
  if (!channels_) c.fail("mutator", "must be the channel mutator: { type = 'channel', input_shape = [C, H, W] }");
  channels_->prepare(*architecture_);
  ChannelSlicer& slicer = channels_->slicer();
  if (slicer.units().empty()) c.fail("architecture", "the model has no prunable channel units");

  std::vector<std::string> names;
  for (const auto& u : slicer.units()) names.push_back(u.name);
  const auto& own = options.keep_ratios;
  for (const auto& name : own->keys()) {
    check_unit_name(*own, name, names, "prunable channel unit");
    unit_keep_ratios_[name] = own->get<double>(name);
    check_ratio(*own, name, unit_keep_ratios_[name]);
  }
  widths_ = std::make_unique<PrunedWidths>(slicer);
}

double IterativePrune::keep_ratio(const std::string& unit) const {
  const auto it = unit_keep_ratios_.find(unit);
  return it == unit_keep_ratios_.end() ? keep_ratio_ : it->second;
}

void IterativePrune::prune(const std::map<std::string, double>& ratios) {
  ChannelSlicer& slicer = channels_->slicer();
  std::map<std::string, std::vector<std::int64_t>> keep;
  for (const auto& u : slicer.units()) {
    const std::vector<std::int64_t> active = slicer.kept(u.name);
    const std::int64_t k =
        std::min<std::int64_t>(channels_->channels_at(u, ratios.at(u.name)), static_cast<std::int64_t>(active.size()));
    const at::Tensor scores = pruner_->importance(slicer.filters(u.name));
    if (scores.dim() != 1 || scores.size(0) != u.channels) {
      throw Error(fmt::format("unit {}: the pruner scored {} channels; the unit has {}", u.name,
                              scores.dim() == 1 ? scores.size(0) : scores.numel(), u.channels));
    }
    keep[u.name] = most_important(active, scores.nan_to_num(-1e300, 1e300, -1e300), k);
  }
  slicer.keep(keep);
  widths_->update();
}

Losses IterativePrune::train_step(const Batch& batch) {
  std::map<std::string, double> ratios;
  for (const auto& u : channels_->slicer().units()) {
    if (const auto r = scheduled_ratio(step_, step_freq_, prune_times_, keep_ratio(u.name))) ratios[u.name] = *r;
  }
  if (!ratios.empty()) prune(ratios);
  ++step_;
  ChannelSlicer& slicer = channels_->slicer();
  slicer.refresh();  // slices of scattered channels are copies: take the last optimizer step
  const at::Tensor loss = loss_->forward(architecture_->forward(batch.inputs), batch.targets);
  loss.backward();
  slicer.refresh();  // and write their batch-norm statistics back before a checkpoint
  // For the log: the fraction of the prunable channels still active.
  double active = 0, all = 0;
  for (const auto& u : slicer.units()) active += static_cast<double>(slicer.active().at(u.name)), all += static_cast<double>(u.channels);
  return {{"loss", loss.detach()}, {"width", at::scalar_tensor(active / all, at::kDouble)}};
}

at::Tensor IterativePrune::predict(const at::Tensor& inputs) {
  channels_->slicer().refresh();
  return architecture_->forward(inputs);
}

void IterativePrune::save_state(torch::serialize::OutputArchive& archive) const {
  std::ostringstream text;
  text << step_ << '\n';
  for (const auto& u : channels_->slicer().units()) {
    text << u.name << '\t' << fmt::format("{}", fmt::join(channels_->slicer().kept(u.name), " ")) << '\n';
  }
  write_text(archive, "iterative_prune", text.str());
}

void IterativePrune::load_state(torch::serialize::InputArchive& archive) {
  std::istringstream text(read_text(archive, "iterative_prune"));
  std::string line;
  std::getline(text, line);
  step_ = std::stoll(line);
  std::map<std::string, std::vector<std::int64_t>> keep;
  while (std::getline(text, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) throw Error("iterative_prune state: a line without its unit name");
    std::istringstream channels(line.substr(tab + 1));
    auto& kept = keep[line.substr(0, tab)];
    for (std::int64_t c; channels >> c;) kept.push_back(c);
  }
  channels_->slicer().keep(keep);
  widths_->update();
}

}  // namespace razor::pruning
