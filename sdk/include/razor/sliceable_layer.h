#pragma once
/// SliceableLayer: a convolution, batch norm or linear layer that the ChannelSlicer (channel_slicer.h)
/// can narrow although it is not LibTorch's Conv2d, BatchNorm2d or Linear, because its forward reads
/// its tensors from somewhere else (a TorchScript submodule, say). As for LibTorch's layers, the
/// module's registered parameters and buffers stay full; the slicer hands the layer the slices its
/// forward is to use, and after slim() the registered tensors themselves.
///
/// Example (a layer whose forward reads `weight` from a TorchScript object):
///   at::Tensor used(const std::string& name) const override { return object_.attr(name).toTensor(); }
///   void use(const std::string& name, const at::Tensor& t) override { object_.setattr(name, t); }
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "razor/export.h"

namespace razor {

class RAZOR_API SliceableLayer {
 public:
  enum class Kind { conv2d, batch_norm2d, linear };
  virtual ~SliceableLayer();

  virtual Kind sliceable_kind() const = 0;
  /// The tensor forward uses as `name` ("weight", "bias", "running_mean", "running_var"); undefined
  /// when the layer has none.
  virtual at::Tensor used(const std::string& name) const = 0;
  /// Makes forward use `tensor` as `name` (ignored when the layer has no such tensor).
  virtual void use(const std::string& name, const at::Tensor& tensor) = 0;
  /// A convolution's groups as forward uses them, and a change of them (a depthwise convolution whose
  /// channels are sliced).
  virtual std::int64_t groups() const = 0;
  virtual void use_groups(std::int64_t groups) = 0;
  /// The registered tensors now have their final sizes: update whatever records the layer's sizes.
  virtual void resized() = 0;
};

}  // namespace razor
