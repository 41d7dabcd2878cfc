#pragma once
// Which modules the ChannelSlicer can narrow, shared with the channel analysis so that a unit touching
// any other module is reported unprunable rather than refused later by the slicer.
#include <optional>

#include <torch/nn/module.h>

#include "razor/channel_units.h"
#include "razor/sliceable_layer.h"

namespace razor {

/// LibTorch's Conv2d, BatchNorm2d and Linear, and any SliceableLayer, as their kind; nullopt otherwise.
std::optional<SliceableLayer::Kind> sliceable_kind(const torch::nn::Module& module);

/// The kind of layer a slice of `role` belongs to.
SliceableLayer::Kind kind_of(ChannelSlice::Role role);

}  // namespace razor
