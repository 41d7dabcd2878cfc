#include "conv_bn.h"

#include <ATen/ATen.h>

namespace razor::models {

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

std::string ConvBnImpl::torchscript_forward() const {
  const std::string y = "self.bn.forward(self.conv.forward(x))";
  std::string out;
  switch (options.activation()) {
    case Activation::relu: out = "torch.relu(" + y + ")"; break;
    // clamp(0, 6) computes what hardtanh(0, 6) does and is a plain torch.* builtin (Python keeps
    // hardtanh in torch.nn.functional, which exported sources cannot use).
    case Activation::relu6: out = "torch.clamp(" + y + ", 0.0, 6.0)"; break;
    case Activation::none: out = y; break;
  }
  return "def forward(self, x: Tensor) -> Tensor:\n    return " + out + "\n";
}

}  // namespace razor::models
