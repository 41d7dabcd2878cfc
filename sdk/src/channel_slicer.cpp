#include "razor/channel_slicer.h"

#include <algorithm>
#include <type_traits>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "razor/errors.h"
#include "razor/sliceable_layer.h"
#include "sliceable_kind.h"

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

using Kind = SliceableLayer::Kind;

}  // namespace

Kind kind_of(Role role) {
  switch (role) {
    case Role::bn: return Kind::batch_norm2d;
    case Role::linear_in:
    case Role::linear_out: return Kind::linear;
    default: return Kind::conv2d;
  }
}

namespace {

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::batch_norm2d: return "BatchNorm2d";
    case Kind::linear: return "Linear";
    default: return "Conv2d";
  }
}

/// LibTorch's own layers seen through SliceableLayer: forward reads their member tensors, and their
/// options record their sizes.
template <class Impl>
class NativeLayer final : public SliceableLayer {
 public:
  NativeLayer(Impl& layer, Kind kind) : layer_(layer), kind_(kind) {}
  Kind sliceable_kind() const override { return kind_; }
  at::Tensor used(const std::string& name) const override {
    at::Tensor* member = find(name);
    return member ? *member : at::Tensor();
  }
  void use(const std::string& name, const at::Tensor& tensor) override {
    if (at::Tensor* member = find(name)) *member = tensor;
  }
  std::int64_t groups() const override;
  void use_groups(std::int64_t groups) override;
  void resized() override;

 private:
  at::Tensor* find(const std::string& name) const;
  Impl& layer_;
  Kind kind_;
};

template <>
at::Tensor* NativeLayer<torch::nn::BatchNorm2dImpl>::find(const std::string& name) const {
  if (name == "weight") return &layer_.weight;
  if (name == "bias") return &layer_.bias;
  if (name == "running_mean") return &layer_.running_mean;
  if (name == "running_var") return &layer_.running_var;
  return nullptr;
}

template <class Impl>
at::Tensor* NativeLayer<Impl>::find(const std::string& name) const {
  if (name == "weight") return &layer_.weight;
  if (name == "bias") return &layer_.bias;
  return nullptr;
}

template <class Impl>
std::int64_t NativeLayer<Impl>::groups() const {
  if constexpr (std::is_same_v<Impl, torch::nn::Conv2dImpl>) return layer_.options.groups();
  return 1;
}

template <class Impl>
void NativeLayer<Impl>::use_groups(std::int64_t groups) {
  if constexpr (std::is_same_v<Impl, torch::nn::Conv2dImpl>) layer_.options.groups(groups);
}

template <class Impl>
void NativeLayer<Impl>::resized() {
  const at::Tensor& w = layer_.weight;
  if constexpr (std::is_same_v<Impl, torch::nn::Conv2dImpl>) {
    layer_.options.out_channels(w.size(0)).in_channels(w.size(1) * layer_.options.groups());
  } else if constexpr (std::is_same_v<Impl, torch::nn::LinearImpl>) {
    layer_.options.out_features(w.size(0)).in_features(w.size(1));
  } else {
    layer_.options.num_features((w.defined() ? w : layer_.running_mean).size(0));
  }
}

/// `module` as a layer the slicer can narrow, or null: LibTorch's Conv2d, BatchNorm2d and Linear, and
/// any SliceableLayer. `owned` keeps the adapter of a LibTorch layer.
SliceableLayer* sliceable(torch::nn::Module& module, std::unique_ptr<SliceableLayer>& owned) {
  if (auto* layer = dynamic_cast<SliceableLayer*>(&module)) return layer;
  if (auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(&module)) {
    owned = std::make_unique<NativeLayer<torch::nn::Conv2dImpl>>(*conv, Kind::conv2d);
  } else if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(&module)) {
    owned = std::make_unique<NativeLayer<torch::nn::BatchNorm2dImpl>>(*bn, Kind::batch_norm2d);
  } else if (auto* linear = dynamic_cast<torch::nn::LinearImpl*>(&module)) {
    owned = std::make_unique<NativeLayer<torch::nn::LinearImpl>>(*linear, Kind::linear);
  }
  return owned.get();
}

}  // namespace

std::optional<Kind> sliceable_kind(const torch::nn::Module& module) {
  if (const auto* layer = dynamic_cast<const SliceableLayer*>(&module)) return layer->sliceable_kind();
  if (dynamic_cast<const torch::nn::Conv2dImpl*>(&module)) return Kind::conv2d;
  if (dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&module)) return Kind::batch_norm2d;
  if (dynamic_cast<const torch::nn::LinearImpl*>(&module)) return Kind::linear;
  return std::nullopt;
}

namespace {

constexpr const char* kTensorNames[] = {"weight", "bias", "running_mean", "running_var"};

}  // namespace

/// A layer some unit slices: its module, its full tensors and the units' ranges per dimension.
struct ChannelSlicer::Layer {
  std::string path;
  std::shared_ptr<torch::nn::Module> module;
  std::unique_ptr<SliceableLayer> native;  // the adapter of a LibTorch layer
  SliceableLayer* access = nullptr;
  bool depthwise = false;
  std::vector<Range> out, in;  // weight dim 0 (and bias, BN statistics), weight dim 1
  // The registered tensors, by kTensorNames: slices are taken from these.
  std::map<std::string, at::Tensor> full;

  Keep out_keep{0, true, {}};  // as last sliced: where batch norm's statistics are copies

  bool is_bn() const { return access->sliceable_kind() == Kind::batch_norm2d; }
  const at::Tensor& weight() const { return full.at("weight"); }
  /// The tensor whose dim 0 is the layer's output channels (a batch norm without affine has no weight).
  const at::Tensor& sized() const { return weight().defined() ? weight() : full.at("running_mean"); }
  std::int64_t out_size() const { return sized().size(0); }
  std::int64_t in_size() const { return sized().dim() > 1 ? sized().size(1) : 0; }
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
          layer->access = sliceable(*it->second, layer->native);
          if (layer->access) {
            for (const char* name : kTensorNames) layer->full[name] = layer->access->used(name);
          }
        }
        if (!layer->access || layer->access->sliceable_kind() != kind_of(s.role)) {
          throw Error(fmt::format("unit {}: module '{}' is not a {} (its slice is {})", u.name, s.module,
                                  kind_name(kind_of(s.role)), to_string(s.role)));
        }
        if (!layer->weight().defined() && !layer->full.at("running_mean").defined()) {
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
        const std::int64_t size = input_side ? layer->in_size() : layer->out_size();
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
    if (l->is_bn()) continue;
    for (const auto& r : l->out) {
      if (r.unit != &u) continue;
      at::Tensor rows = l->weight().narrow(0, r.start, r.end - r.start);
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
    if (!l->is_bn() || l->out_keep.prefix) continue;
    for (const char* name : {"running_mean", "running_var"}) {
      const at::Tensor& full = l->full.at(name);
      if (full.defined()) full.index_copy_(0, l->out_keep.index.to(full.device()), l->access->used(name));
    }
  }
}

void ChannelSlicer::point_members() {
  // Slices stay connected to the full tensors even when made under NoGradGuard (an evaluation), so
  // a later training forward or a graph-tracing cost estimate still reaches the parameters.
  c10::AutoGradMode connected(true);
  for (const auto& l : layers_) {
    const Keep out = keep_of(l->out_size(), l->out, masks_);
    l->out_keep = out;
    if (l->is_bn()) {
      for (const char* name : kTensorNames) l->access->use(name, slice(l->full.at(name), 0, out));
      continue;
    }
    at::Tensor w = slice(l->weight(), 0, out);
    if (!l->depthwise) w = slice(w, 1, keep_of(l->in_size(), l->in, masks_));
    l->access->use("weight", w);
    l->access->use("bias", slice(l->full.at("bias"), 0, out));
    if (l->depthwise) l->access->use_groups(out.count);
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
        for (const char* tensor : kTensorNames) reorder(l->full.at(tensor), 0, r, idx);
      }
      for (const auto& r : l->in) {
        if (r.unit->name == name) reorder(l->weight(), 1, r, idx);
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
    // The layer uses the active slices (point_members); the registered tensors take their values.
    for (const char* name : kTensorNames) {
      at::Tensor& registered = l->full.at(name);
      if (!registered.defined()) continue;
      registered.set_data(l->access->used(name).contiguous().clone());
      l->access->use(name, registered);
    }
    l->access->resized();
  }
  slimmed_ = true;
}

}  // namespace razor
