#include "mobilenet_v2.h"

#include <ATen/ATen.h>

#include "backbone_taps.h"
#include "global_pool.h"

namespace razor::models {

void MobileNetV2Options::validate(const ConfigView& cfg) const {
  check_per_stage(cfg, "strides", strides(), widths().size());
  check_per_stage(cfg, "repeats", repeats(), widths().size());
}

InvertedResidualImpl::InvertedResidualImpl(std::int64_t in, std::int64_t out, std::int64_t stride,
                                           std::int64_t expand_ratio)
    : residual(stride == 1 && in == out) {
  const std::int64_t hidden = in * expand_ratio;
  if (expand_ratio != 1) {
    expand = register_module("expand", ConvBn(ConvBnOptions(in, hidden, 1).activation(Activation::relu6)));
  }
  depthwise = register_module(
      "depthwise", ConvBn(ConvBnOptions(hidden, hidden, 3).stride(stride).groups(hidden).activation(Activation::relu6)));
  project = register_module("project", ConvBn(ConvBnOptions(hidden, out, 1).activation(Activation::none)));
}

at::Tensor InvertedResidualImpl::forward(at::Tensor x) {
  at::Tensor y = project->forward(depthwise->forward(expand ? expand->forward(x) : x));
  return residual ? x + y : y;
}

std::string InvertedResidualImpl::torchscript_forward() const {
  const std::string input = expand ? "self.expand.forward(x)" : "x";
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    y = self.project.forward(self.depthwise.forward(" + input + "))\n" +
         (residual ? "    return x + y\n" : "    return y\n");
}

MobileNetV2Impl::MobileNetV2Impl(const MobileNetV2Options& o) : options(o) {
  stem = register_module("stem", ConvBn(ConvBnOptions(o.in_channels(), o.stem_channels(), 3).activation(Activation::relu6)));
  stages = register_module("stages", torch::nn::Sequential());
  std::int64_t channels = o.stem_channels();
  for (std::size_t s = 0; s < o.widths().size(); ++s) {
    for (std::int64_t r = 0; r < o.repeats()[s]; ++r) {
      stages->push_back(InvertedResidual(channels, o.widths()[s], r == 0 ? o.strides()[s] : 1,
                                        s == 0 ? 1 : o.expand_ratio()));
      channels = o.widths()[s];
    }
  }
  last = register_module("last", ConvBn(ConvBnOptions(channels, o.last_channels(), 1).activation(Activation::relu6)));
  fc = register_module("fc", torch::nn::Linear(o.last_channels(), o.num_classes()));
  taps = register_module("taps", backbone_taps("stages", stages->size(), true));
}

at::Tensor MobileNetV2Impl::forward(const at::Tensor& x) {
  at::Tensor y = forward_blocks(*taps, stages, taps->record("stem", stem->forward(x)));
  y = taps->record("last", last->forward(y));
  return taps->record("fc", fc->forward(taps->record("pool", global_pool(y))));
}

std::string MobileNetV2Impl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = self.last.forward(self.stages.forward(self.stem.forward(x)))\n"
         "    return self.fc.forward(" +
         global_pool_script("x") + ")\n";
}

}  // namespace razor::models
