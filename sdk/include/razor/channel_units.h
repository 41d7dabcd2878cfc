#pragma once
/// Channel-dependency analysis for channel pruning: which channels of which modules must share one mask.
/// One grad-enabled forward on an example input, then a walk of the autograd graph it recorded
/// (conv, batch norm and linear nodes are tied to their modules through their weights' TensorImpls).
///
/// Example:
///   razor::ChannelAnalysis a = razor::analyse_channels(model, torch::zeros({1, 3, 32, 32}));
///   for (const auto& unit : a.units) if (unit.prunable) std::cout << unit.name << '\n';  // "stem.conv_(0, 16)_16"
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "razor/export.h"
#include "razor/model.h"

namespace razor {

/// One slice of one module's channels inside a unit.
struct ChannelSlice {
  /// How the slice belongs to the module: conv_out/conv_in are a convolution's output/input channels,
  /// depthwise a convolution whose in == out == groups (both at once), bn a batch norm's channels,
  /// linear_in/linear_out a Linear's input/output features.
  enum class Role { conv_out, conv_in, depthwise, bn, linear_in, linear_out };

  std::string module;  // named_modules() key, e.g. "stages.0.conv1.conv"
  Role role = Role::conv_out;
  std::int64_t start = 0, end = 0;  // range in that module's channel (or feature) dimension, end exclusive
};

/// Channels that must be pruned together (one mask): producers' output channels, batch norms, consumers'
/// input channels, residual partners, depthwise convolutions, concatenation and split slices.
struct ChannelUnit {
  /// "<module>_(<start>, <end>)_<channels>" of the first output-related slice (in named_modules() order),
  /// the key of pruning configs. A unit without output-related slices (channels no module produces:
  /// the network input, a barrier's output) is named after its first input-related slice plus "_in".
  std::string name;
  std::int64_t channels = 0;
  std::vector<ChannelSlice> output_related;  // conv_out, depthwise, bn, linear_out
  std::vector<ChannelSlice> input_related;   // conv_in, depthwise, linear_in
  bool prunable = true;
  /// Why not, when not prunable: "network input", "network output", "grouped conv 'g' (groups=2)",
  /// "before barrier 'FlipBackward0' (after 'b2')", "after barrier 'FlipBackward0' (after 'b2')",
  /// "sliced on the channel dim by 'SplitBackward0' (the forward fixes the slice sizes)", ...
  std::string why_not;
};

struct ChannelAnalysis {
  /// Ordered by the position of the naming slice's module in named_modules(), then by start.
  std::vector<ChannelUnit> units;
  /// One line per autograd node the analysis does not understand on a channel path, in forward order:
  /// "<node name> after '<nearest module before it>'", plus " (then <names>)" for the nodes that only
  /// continue that barrier (a channel shuffle's view -> transpose -> reshape is one line).
  std::vector<std::string> barriers;
};

/// Runs `model` once on `example_input` ([N, C, H, W]) with autograd recording, in eval mode, and walks
/// the recorded graph from the output. The model is left as it was: training flags restored module by
/// module, no parameter or buffer changed, no gradients (backward never runs). Ops it does not know
/// become barriers: the channels touching them are not prunable, the rest is still analysed.
/// Throws razor::Error when the forward itself fails.
RAZOR_API ChannelAnalysis analyse_channels(Model& model, const at::Tensor& example_input);

/// "conv_out", "conv_in", "depthwise", "bn", "linear_in" or "linear_out".
RAZOR_API const char* to_string(ChannelSlice::Role role);

}  // namespace razor
