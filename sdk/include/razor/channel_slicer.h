#pragma once
/// ChannelSlicer: runs a model with fewer channels in its channel units, without changing its code.
/// LibTorch layers read their weights from member tensors in forward; the slicer points those members
/// at slices of the registered (full) parameters and buffers. So training updates the full tensors
/// (inactive channels get no gradient), batch norm updates only the active entries of its running
/// statistics, and parameters(), checkpoints and optimizers keep seeing the full model. apply() keeps
/// each unit's first k channels, keep() any set of them (a pruner's most important ones); permute()
/// reorders a unit's channels without changing what the model computes. slim() then makes the model
/// physically smaller.
///
/// A slice that is not a prefix of its dimension (keep() of a scattered set, or a unit in the middle
/// of a concatenation) cannot be a view: it is a copy, which sees no optimizer step and serves one
/// backward only. Call refresh() before each training forward and before evaluating or saving a model
/// with such slices; it also writes back the batch-norm statistics the copies collected.
///
/// Layers: Conv2d (groups 1, or depthwise), BatchNorm2d, Linear. After moving the model to another
/// device, refresh() (the slices still point at the old storage).
///
/// Example:
///   ChannelSlicer slicer(model, analyse_channels(model, at::zeros({1, 1, 28, 28})).units);
///   slicer.apply({{"stem.conv_(0, 16)_16", 8}});  // forward now runs the stem with 8 channels
///   slicer.slim();                                // and now the model is that size
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "razor/channel_units.h"
#include "razor/export.h"

namespace razor {

class RAZOR_API ChannelSlicer {
 public:
  /// Keeps the prunable units; throws razor::Error when a slice names a module that is missing, of
  /// another type than its role says, or smaller than the slice.
  ChannelSlicer(torch::nn::Module& model, const std::vector<ChannelUnit>& units);
  ~ChannelSlicer();
  ChannelSlicer(const ChannelSlicer&) = delete;
  ChannelSlicer& operator=(const ChannelSlicer&) = delete;

  /// The prunable units, in analysis order.
  const std::vector<ChannelUnit>& units() const { return units_; }
  /// Active channels by unit name (1..channels); units not named keep all their channels.
  /// Throws razor::Error naming an unknown unit or a count out of range.
  void apply(const std::map<std::string, std::int64_t>& active);
  /// Active channels by unit name as channel indices (any non-empty set, in any order); units not
  /// named keep all their channels. Throws razor::Error naming an unknown unit, an index out of range
  /// or an empty set.
  void keep(const std::map<std::string, std::vector<std::int64_t>>& channels);
  /// The number of active channels of every unit (all channels before any apply()).
  const std::map<std::string, std::int64_t>& active() const { return active_; }
  /// The active channels of `unit`, ascending.
  std::vector<std::int64_t> kept(const std::string& unit) const;
  /// The weights producing `unit`'s channels: one tensor per Conv2d or Linear among its output-related
  /// layers (batch norm excluded), shaped [channels, features], row c being channel c's filter over the
  /// layer's active inputs. Detached copies; what weight-based criteria (razor/pruner.h) score.
  std::vector<at::Tensor> filters(const std::string& unit) const;
  /// Writes the running statistics batch norm updated in copied slices back to the full buffers and
  /// slices every layer again from its full tensors (see the class comment). Does nothing after
  /// slim().
  void refresh();
  /// Reorders the channels of `unit` in every module it touches: new channel i is old channel
  /// order[i]. The model computes the same function (the active set follows its channels). `order` is
  /// a permutation of 0..channels-1.
  void permute(const std::string& unit, const at::Tensor& order);
  /// Irreversibly replaces every sliced tensor by its active part and updates the layers' options:
  /// the model is then physically that size. apply() and permute() throw afterwards.
  void slim();
  bool slimmed() const { return slimmed_; }

 private:
  struct Layer;
  const ChannelUnit& unit(const std::string& name) const;
  void set_masks(std::map<std::string, std::vector<bool>> masks);
  void check_not_slimmed() const;
  void write_back_statistics();
  void point_members();

  std::vector<ChannelUnit> units_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::map<std::string, std::vector<bool>> masks_;  // per unit: which channels are active
  std::map<std::string, std::int64_t> active_;
  bool slimmed_ = false;
};

}  // namespace razor
