#include "conv_bn.h"

#include <ATen/ATen.h>

namespace razor::zoo {

ConvBnImpl::ConvBnImpl(const ConvBnOptions& o) : options(o) {
  conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_channels(), o.out_channels(),
                                                                            o.kernel_size())
                                                       .stride(o.stride())
                                                       .padding(o.kernel_size() / 2)
                                                       .groups(o.groups())
                                                       .bias(false)));
  bn = register_module("bn", torch::nn::BatchNorm2d(o.out_channels()));
}

at::Tensor ConvBnImpl::forward(at::Tensor x) {
  x = bn->forward(conv->forward(x));
  switch (options.activation()) {
    case Activation::relu: return at::relu(x);
    case Activation::relu6: return at::hardtanh(x, 0.0, 6.0);
    case Activation::none: return x;
  }
  return x;
}

}  // namespace razor::zoo
