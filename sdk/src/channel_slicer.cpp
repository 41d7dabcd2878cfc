#include "razor/channel_slicer.h"

#include <algorithm>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "razor/errors.h"

namespace razor {
namespace {

using Role = ChannelSlice::Role;

/// One unit's range in one dimension of a layer: `per_channel` entries per unit channel (a Linear
/// after a flatten takes H*W features per channel).
struct Range {
  std::int64_t start, end, per_channel;
  const ChannelUnit* unit;
};

/// Which indices of a dimension stay: a prefix (a view) or an index list (a copy).
struct Keep {
  std::int64_t count;
  bool prefix;
  at::Tensor index;  // int64, when not a prefix
};

Keep keep_of(std::int64_t size, const std::vector<Range>& ranges, const std::map<std::string, std::vector<bool>>& masks) {
  std::vector<bool> kept(static_cast<std::size_t>(size), true);
  for (const auto& r : ranges) {
    const std::vector<bool>& mask = masks.at(r.unit->name);
    for (std::size_t c = 0; c < mask.size(); ++c) {
      if (mask[c]) continue;
      const std::int64_t first = r.start + static_cast<std::int64_t>(c) * r.per_channel;
      for (std::int64_t i = first; i < first + r.per_channel; ++i) kept[static_cast<std::size_t>(i)] = false;
    }
  }
  std::vector<std::int64_t> index;
  for (std::int64_t i = 0; i < size; ++i) {
    if (kept[static_cast<std::size_t>(i)]) index.push_back(i);
  }
  const auto count = static_cast<std::int64_t>(index.size());
  const bool prefix = count == 0 || index.back() == count - 1;
  return {count, prefix, prefix ? at::Tensor() : at::tensor(index, at::kLong)};
}

at::Tensor slice(const at::Tensor& t, std::int64_t dim, const Keep& keep) {
  if (!t.defined()) return t;
  if (keep.prefix) return keep.count == t.size(dim) ? t : t.narrow(dim, 0, keep.count);
  return t.index_select(dim, keep.index.to(t.device()));
}

/// Reorders region [start, start + len) of `t` along `dim` by `order` (expanded per channel), in place.
void reorder(const at::Tensor& t, std::int64_t dim, const Range& r, const at::Tensor& order) {
  if (!t.defined()) return;
  const at::Tensor expanded =
      (order.unsqueeze(1) * r.per_channel + at::arange(r.per_channel, order.options())).flatten();
  at::Tensor region = t.narrow(dim, r.start, r.end - r.start);
  region.copy_(region.index_select(dim, expanded.to(t.device())));
}

const char* expected_type(Role role) {
  switch (role) {
    case Role::bn: return "BatchNorm2d";
    case Role::linear_in:
    case Role::linear_out: return "Linear";
    default: return "Conv2d";
  }
}

}  // namespace

/// A layer some unit slices: its module, its full tensors and the units' ranges per dimension.
struct ChannelSlicer::Layer {
  std::string path;
  std::shared_ptr<torch::nn::Module> module;
  torch::nn::Conv2dImpl* conv = nullptr;
  torch::nn::BatchNorm2dImpl* bn = nullptr;
  torch::nn::LinearImpl* linear = nullptr;
  bool depthwise = false;
  std::vector<Range> out, in;  // weight dim 0 (and bias, BN statistics), weight dim 1
  // The registered tensors: slices are taken from these.
  at::Tensor weight, bias, running_mean, running_var;

  Keep out_keep{0, true, {}};  // as last sliced: where batch norm's statistics are copies

  std::int64_t out_size() const { return weight.size(0); }
  std::int64_t in_size() const { return weight.dim() > 1 ? weight.size(1) : 0; }
};

ChannelSlicer::ChannelSlicer(torch::nn::Module& model, const std::vector<ChannelUnit>& units) {
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules;
  for (const auto& item : model.named_modules()) modules[item.key()] = item.value();
  std::map<std::string, Layer*> by_path;
  for (const auto& u : units) {
    if (u.prunable) units_.push_back(u);
  }
  for (const auto& u : units_) {
    masks_[u.name].assign(static_cast<std::size_t>(u.channels), true);
    active_[u.name] = u.channels;
    for (const auto* slices : {&u.output_related, &u.input_related}) {
      for (const auto& s : *slices) {
        const auto it = modules.find(s.module);
        if (it == modules.end()) throw Error(fmt::format("unit {}: no module '{}'", u.name, s.module));
        Layer*& layer = by_path[s.module];
        if (!layer) {
          layers_.push_back(std::make_unique<Layer>());
          layer = layers_.back().get();
          layer->path = s.module;
          layer->module = it->second;
          layer->conv = dynamic_cast<torch::nn::Conv2dImpl*>(it->second.get());
          layer->bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(it->second.get());
          layer->linear = dynamic_cast<torch::nn::LinearImpl*>(it->second.get());
          if (layer->conv) layer->weight = layer->conv->weight, layer->bias = layer->conv->bias;
          if (layer->linear) layer->weight = layer->linear->weight, layer->bias = layer->linear->bias;
          if (layer->bn) {
            layer->weight = layer->bn->weight, layer->bias = layer->bn->bias;
            layer->running_mean = layer->bn->running_mean, layer->running_var = layer->bn->running_var;
          }
        }
        const bool type_ok = s.role == Role::bn ? layer->bn != nullptr
                             : (s.role == Role::linear_in || s.role == Role::linear_out) ? layer->linear != nullptr
                                                                                         : layer->conv != nullptr;
        if (!type_ok) {
          throw Error(fmt::format("unit {}: module '{}' is not a {} (its slice is {})", u.name, s.module,
                                  expected_type(s.role), to_string(s.role)));
        }
        if (!layer->weight.defined() && !layer->running_mean.defined()) {
          throw Error(fmt::format("unit {}: module '{}' has no weight to slice", u.name, s.module));
        }
        const std::int64_t length = s.end - s.start;
        if (length <= 0 || length % u.channels != 0) {
          throw Error(fmt::format("unit {}: slice [{}, {}) of '{}' is not a multiple of its {} channels", u.name,
                                  s.start, s.end, s.module, u.channels));
        }
        const Range range{s.start, s.end, length / u.channels, &u};
        const bool input_side = s.role == Role::conv_in || s.role == Role::linear_in;
        if (s.role == Role::depthwise) layer->depthwise = true;
        auto& ranges = input_side ? layer->in : layer->out;
        if (std::none_of(ranges.begin(), ranges.end(), [&](const Range& r) { return r.start == s.start && r.unit == &u; })) {
          ranges.push_back(range);
        }
        const at::Tensor& sized = layer->weight.defined() ? layer->weight : layer->running_mean;
        const std::int64_t size = input_side ? (sized.dim() > 1 ? sized.size(1) : 0) : sized.size(0);
        if (s.end > size) {
          throw Error(fmt::format("unit {}: slice [{}, {}) is beyond the {} {} of '{}'", u.name, s.start, s.end,
                                  size, input_side ? "inputs" : "outputs", s.module));
        }
      }
    }
  }
}

ChannelSlicer::~ChannelSlicer() = default;

const ChannelUnit& ChannelSlicer::unit(const std::string& name) const {
  for (const auto& u : units_) {
    if (u.name == name) return u;
  }
  throw Error(fmt::format("no prunable channel unit '{}'", name));
}

void ChannelSlicer::check_not_slimmed() const {
  if (slimmed_) throw Error("the model is slimmed: its channels are fixed");
}

void ChannelSlicer::apply(const std::map<std::string, std::int64_t>& active) {
  check_not_slimmed();
  std::map<std::string, std::vector<bool>> masks;
  for (const auto& [name, k] : active) {
    const ChannelUnit& u = unit(name);
    if (k < 1 || k > u.channels) {
      throw Error(fmt::format("unit {}: {} active channels is out of range 1..{}", name, k, u.channels));
    }
    std::vector<bool>& mask = masks[name];
    mask.assign(static_cast<std::size_t>(u.channels), false);
    std::fill(mask.begin(), mask.begin() + k, true);
  }
  set_masks(std::move(masks));
}

void ChannelSlicer::keep(const std::map<std::string, std::vector<std::int64_t>>& channels) {
  check_not_slimmed();
  std::map<std::string, std::vector<bool>> masks;
  for (const auto& [name, indices] : channels) {
    const ChannelUnit& u = unit(name);
    if (indices.empty()) throw Error(fmt::format("unit {}: no channel to keep", name));
    std::vector<bool>& mask = masks[name];
    mask.assign(static_cast<std::size_t>(u.channels), false);
    for (const std::int64_t c : indices) {
      if (c < 0 || c >= u.channels) {
        throw Error(fmt::format("unit {}: channel {} is out of range 0..{}", name, c, u.channels - 1));
      }
      mask[static_cast<std::size_t>(c)] = true;
    }
  }
  set_masks(std::move(masks));
}

void ChannelSlicer::set_masks(std::map<std::string, std::vector<bool>> masks) {
  for (const auto& u : units_) masks.try_emplace(u.name, static_cast<std::size_t>(u.channels), true);
  write_back_statistics();
  masks_ = std::move(masks);
  for (const auto& [name, mask] : masks_) active_[name] = std::count(mask.begin(), mask.end(), true);
  point_members();
}

std::vector<std::int64_t> ChannelSlicer::kept(const std::string& name) const {
  const std::vector<bool>& mask = masks_.at(unit(name).name);
  std::vector<std::int64_t> out;
  for (std::size_t c = 0; c < mask.size(); ++c) {
    if (mask[c]) out.push_back(static_cast<std::int64_t>(c));
  }
  return out;
}

std::vector<at::Tensor> ChannelSlicer::filters(const std::string& name) const {
  const ChannelUnit& u = unit(name);
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> out;
  for (const auto& l : layers_) {
    if (l->bn) continue;
    for (const auto& r : l->out) {
      if (r.unit != &u) continue;
      at::Tensor rows = l->weight.narrow(0, r.start, r.end - r.start);
      if (!l->depthwise) rows = slice(rows, 1, keep_of(l->in_size(), l->in, masks_));
      out.push_back(rows.reshape({u.channels, -1}).clone());
    }
  }
  return out;
}

void ChannelSlicer::refresh() {
  if (slimmed_) return;  // the layers own their tensors now
  write_back_statistics();
  point_members();
}

void ChannelSlicer::write_back_statistics() {
  torch::NoGradGuard no_grad;
  for (const auto& l : layers_) {
    if (!l->bn || l->out_keep.prefix || !l->running_mean.defined()) continue;
    const at::Tensor index = l->out_keep.index.to(l->running_mean.device());
    l->running_mean.index_copy_(0, index, l->bn->running_mean);
    l->running_var.index_copy_(0, index, l->bn->running_var);
  }
}

void ChannelSlicer::point_members() {
  // Slices stay connected to the full tensors even when made under NoGradGuard (an evaluation), so
  // a later training forward or a graph-tracing cost estimate still reaches the parameters.
  c10::AutoGradMode connected(true);
  for (const auto& l : layers_) {
    const Keep out = keep_of(l->bn ? (l->weight.defined() ? l->weight.size(0) : l->running_mean.size(0))
                                   : l->out_size(),
                             l->out, masks_);
    l->out_keep = out;
    if (l->bn) {
      l->bn->weight = slice(l->weight, 0, out);
      l->bn->bias = slice(l->bias, 0, out);
      l->bn->running_mean = slice(l->running_mean, 0, out);
      l->bn->running_var = slice(l->running_var, 0, out);
      continue;
    }
    at::Tensor w = slice(l->weight, 0, out);
    if (!l->depthwise) w = slice(w, 1, keep_of(l->in_size(), l->in, masks_));
    if (l->conv) {
      l->conv->weight = w;
      l->conv->bias = slice(l->bias, 0, out);
      if (l->depthwise) l->conv->options.groups(out.count);
    } else {
      l->linear->weight = w;
      l->linear->bias = slice(l->bias, 0, out);
    }
  }
}

void ChannelSlicer::permute(const std::string& name, const at::Tensor& order) {
  check_not_slimmed();
  const ChannelUnit& u = unit(name);
  if (order.dim() != 1 || order.size(0) != u.channels ||
      !at::equal(std::get<0>(order.to(at::kLong).cpu().sort()), at::arange(u.channels, at::kLong))) {
    throw Error(fmt::format("unit {}: the order is not a permutation of its {} channels", name, u.channels));
  }
  const at::Tensor idx = order.to(at::kLong).cpu();
  write_back_statistics();
  {
    torch::NoGradGuard no_grad;
    for (const auto& l : layers_) {
      for (const auto& r : l->out) {
        if (r.unit->name != name) continue;
        for (const auto* t : {&l->weight, &l->bias, &l->running_mean, &l->running_var}) reorder(*t, 0, r, idx);
      }
      for (const auto& r : l->in) {
        if (r.unit->name == name) reorder(l->weight, 1, r, idx);
      }
    }
  }
  // The active set follows its channels: new channel i is active when old channel order[i] was.
  std::vector<bool>& mask = masks_.at(name);
  const std::vector<bool> before = mask;
  const auto* o = idx.data_ptr<std::int64_t>();
  for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = before[static_cast<std::size_t>(o[i])];
  point_members();  // copied slices hold the old order
}

void ChannelSlicer::slim() {
  if (slimmed_) throw Error("the model is already slimmed");
  torch::NoGradGuard no_grad;
  write_back_statistics();
  point_members();  // copied slices may predate the last optimizer step
  for (const auto& l : layers_) {
    // The members hold the active slices (point_members); the registered tensors take their values.
    const auto take = [](at::Tensor& registered, const at::Tensor& active) {
      if (registered.defined()) registered.set_data(active.contiguous().clone());
    };
    if (l->bn) {
      take(l->weight, l->bn->weight), take(l->bias, l->bn->bias);
      take(l->running_mean, l->bn->running_mean), take(l->running_var, l->bn->running_var);
      l->bn->weight = l->weight, l->bn->bias = l->bias;
      l->bn->running_mean = l->running_mean, l->bn->running_var = l->running_var;
      l->bn->options.num_features((l->weight.defined() ? l->weight : l->running_mean).size(0));
    } else if (l->conv) {
      take(l->weight, l->conv->weight), take(l->bias, l->conv->bias);
      l->conv->weight = l->weight, l->conv->bias = l->bias;
      const std::int64_t groups = l->conv->options.groups();
      l->conv->options.out_channels(l->weight.size(0)).in_channels(l->weight.size(1) * groups);
    } else {
      take(l->weight, l->linear->weight), take(l->bias, l->linear->bias);
      l->linear->weight = l->weight, l->linear->bias = l->bias;
      l->linear->options.out_features(l->weight.size(0)).in_features(l->weight.size(1));
    }
  }
  slimmed_ = true;
}

}  // namespace razor
