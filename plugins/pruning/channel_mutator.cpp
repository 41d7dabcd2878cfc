#include "channel_mutator.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/closest_match.h"
#include "razor/derived_value.h"
#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor::pruning {
namespace {

std::string ratio_text(double r) { return fmt::format("{:g}", r); }

}  // namespace

void check_ratios(const ConfigView& config, const std::string& key, const std::vector<double>& ratios) {
  if (ratios.empty()) config.fail(key, "needs at least one ratio");
  for (std::size_t i = 0; i < ratios.size(); ++i) {
    if (!(ratios[i] > 0 && ratios[i] <= 1)) config.fail(key, fmt::format("ratio {} is not in (0, 1]", ratios[i]));
    if (i > 0 && ratios[i] <= ratios[i - 1]) config.fail(key, "ratios must be strictly ascending");
  }
}

void check_unit_name(const ConfigView& table, const std::string& name, const std::vector<std::string>& names,
                     const std::string& what) {
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  const std::string close = closest_match(name, names);
  table.fail(name, fmt::format("no {} '{}'{} (`razor-host units CONFIG` lists them)", what, name,
                               close.empty() ? "" : fmt::format("; did you mean '{}'?", close)));
}

ChannelMutator::ChannelMutator(const BuildContext& ctx, const Options& options)
    : o_(options), rng_(ctx.seed() ^ 0x6368616e6e656cULL) {}

std::int64_t ChannelMutator::channels_at(const ChannelUnit& unit, double ratio) const {
  const auto k = std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(unit.channels) * ratio));
  const std::int64_t divisible =
      o_.divisor == 1 ? std::max(k, o_.min_channels) : make_divisible(static_cast<double>(k), o_.divisor, o_.min_channels);
  return std::min(divisible, unit.channels);
}

void ChannelMutator::prepare(Model& model) {
  std::vector<std::int64_t> shape{1};
  shape.insert(shape.end(), o_.input_shape.begin(), o_.input_shape.end());
  at::TensorOptions options;
  for (const auto& p : model.parameters()) options = options.device(p.device()).dtype(p.dtype());
  analysis_ = analyse_channels(model, at::zeros(shape, options));

  // Manual overrides: a unit pinned (prunable = false) or given its own ratios.
  std::vector<std::string> names;
  for (const auto& u : analysis_.units) names.push_back(u.name);
  std::map<std::string, std::vector<double>> own_ratios;
  const ConfigView& overrides = *o_.units;
  for (const auto& name : overrides.keys()) {
    check_unit_name(overrides, name, names, "channel unit");
    const auto it = std::find(names.begin(), names.end(), name);
    ChannelUnit& unit = analysis_.units[static_cast<std::size_t>(it - names.begin())];
    const auto table = overrides.table(name);
    for (const auto& key : table->keys()) {
      if (key != "prunable" && key != "ratios") table->fail(key, "unknown key (expected: prunable, ratios)");
    }
    if (table->has("prunable") && !table->get<bool>("prunable")) {
      unit.prunable = false;
      unit.why_not = "pinned by the config";
    }
    if (table->has("ratios")) {
      if (!unit.prunable) table->fail("ratios", fmt::format("unit '{}' is not prunable ({})", name, unit.why_not));
      own_ratios[name] = table->get<std::vector<double>>("ratios");
      check_ratios(*table, "ratios", own_ratios[name]);
    }
  }

  slicer_ = std::make_unique<ChannelSlicer>(model, analysis_.units);
  groups_.clear();
  for (const auto& u : slicer_->units()) {
    SearchGroup g{u.name, {}, {}};
    const auto own = own_ratios.find(u.name);
    for (double r : own != own_ratios.end() ? own->second : o_.ratios) g.choices.push_back(ratio_text(r));
    groups_.push_back(std::move(g));
  }
  current_ = sample_subnet(groups_, SampleKind::max, rng_);
  set(current_);
}

ChannelSlicer& ChannelMutator::slicer() {
  if (!slicer_) throw Error("mutator/channel: prepare() has not run");
  return *slicer_;
}

void ChannelMutator::check(const Subnet& subnet) const {
  if (!slicer_) throw Error("mutator/channel: prepare() has not run");
  for (const auto& [key, choice] : subnet) {
    const auto g =
        std::find_if(groups_.begin(), groups_.end(), [&key = key](const SearchGroup& s) { return s.key == key; });
    if (g == groups_.end()) throw Error(fmt::format("mutator/channel: no prunable channel unit '{}'", key));
    if (std::find(g->choices.begin(), g->choices.end(), choice) == g->choices.end()) {
      throw Error(fmt::format("mutator/channel: unit '{}': '{}' is not one of its ratios ({})", key, choice,
                              fmt::join(g->choices, ", ")));
    }
  }
  for (const auto& g : groups_) {
    if (!subnet.count(g.key)) throw Error(fmt::format("mutator/channel: the subnet has no choice for unit '{}'", g.key));
  }
}

Subnet ChannelMutator::sample(SampleKind kind) {
  Subnet subnet = sample_subnet(groups_, kind, rng_);
  set(subnet);
  return subnet;
}

void ChannelMutator::set(const Subnet& subnet) {
  if (fixed_) throw Error("mutator/channel: the model is slimmed; it has no choices left to set");
  check(subnet);
  std::map<std::string, std::int64_t> active;
  for (const auto& u : slicer_->units()) active[u.name] = channels_at(u, std::stod(subnet.at(u.name)));
  slicer_->apply(active);
  current_ = subnet;
}

void ChannelMutator::fix(const Subnet& subnet) {
  if (fixed_) throw Error("mutator/channel: the model is already slimmed (fix() can run once)");
  set(subnet);
  slicer_->slim();
  for (auto& g : groups_) g.choices = {subnet.at(g.key)};
  fixed_ = true;
}

void ChannelMutator::save_state(torch::serialize::OutputArchive& archive) const { write_rng(archive, "channel_rng", rng_); }
void ChannelMutator::load_state(torch::serialize::InputArchive& archive) { read_rng(archive, "channel_rng", rng_); }

}  // namespace razor::pruning
