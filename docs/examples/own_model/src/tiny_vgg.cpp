// model/tiny_vgg: the hand-written TinyVgg (tiny_vgg.h) as a razor plugin. The model code is plain
// LibTorch; the plugin part is the descriptor at the end (razor reads a config into TinyVggOptions).
#include "tiny_vgg.h"

#include <ATen/ATen.h>
#include <razor/sdk.h>

namespace tiny_vgg {

ConvBnReluImpl::ConvBnReluImpl(const ConvBnReluOptions& o) : options(o) {
  const auto k = o.kernel_size();
  const auto conv_options = torch::nn::Conv2dOptions(o.in_channels(), o.out_channels(), k).padding(k / 2).bias(false);
  conv = register_module("conv", torch::nn::Conv2d(conv_options));
  bn = register_module("bn", torch::nn::BatchNorm2d(o.out_channels()));
  if (o.relu()) relu = register_module("relu", torch::nn::ReLU());
}

at::Tensor ConvBnReluImpl::forward(const at::Tensor& x) {
  at::Tensor y = bn->forward(conv->forward(x));
  return relu ? relu->forward(y) : y;
}

std::string ConvBnReluImpl::torchscript_forward() const {
  const std::string y = "self.bn.forward(self.conv.forward(x))";
  return "def forward(self, x: Tensor) -> Tensor:\n    return " + (relu ? "self.relu.forward(" + y + ")" : y) + "\n";
}

TinyVggImpl::TinyVggImpl(const TinyVggOptions& o) : options(o) {
  const auto c = o.stem_channels();
  stem = register_module("stem", ConvBnRelu(ConvBnReluOptions(o.in_channels(), c, 3)));
  res1 = register_module("res1", ConvBnRelu(ConvBnReluOptions(c, c, 3)));
  res2 = register_module("res2", ConvBnRelu(ConvBnReluOptions(c, c, 3).relu(false)));
  pool = register_module("pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
  branch1x1 = register_module("branch1x1", ConvBnRelu(ConvBnReluOptions(c, o.branch1x1_channels(), 1)));
  branch3x3 = register_module("branch3x3", ConvBnRelu(ConvBnReluOptions(c, o.branch3x3_channels(), 3)));
  head = register_module(
      "head", ConvBnRelu(ConvBnReluOptions(o.branch1x1_channels() + o.branch3x3_channels(), o.head_channels(), 3)));
  gap = register_module("gap", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
  flatten = register_module("flatten", torch::nn::Flatten());
  fc = register_module("fc", torch::nn::Linear(o.head_channels(), o.num_classes()));
  taps = register_module("taps", razor::Taps(std::vector<std::string>{"stem", "residual", "branches", "head", "fc"}));
}

at::Tensor TinyVggImpl::forward(const at::Tensor& x) {
  at::Tensor y = taps->record("stem", stem->forward(x));
  y = taps->record("residual", at::relu(res2->forward(res1->forward(y)) + y));  // residual add
  y = pool->forward(y);
  y = taps->record("branches", at::cat({branch1x1->forward(y), branch3x3->forward(y)}, 1));  // concat on channels
  y = taps->record("head", head->forward(y));
  return taps->record("fc", fc->forward(flatten->forward(gap->forward(y))));
}

std::string TinyVggImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    y = self.stem.forward(x)\n"
         "    y = torch.relu(self.res2.forward(self.res1.forward(y)) + y)\n"
         "    y = self.pool.forward(y)\n"
         "    y = torch.cat([self.branch1x1.forward(y), self.branch3x3.forward(y)], 1)\n"
         "    y = self.head.forward(y)\n"
         "    return self.fc.forward(self.flatten.forward(self.gap.forward(y)))\n";
}

}  // namespace tiny_vgg

RAZOR_PLUGIN("tiny_vgg", "0.1.0", "A hand-written LibTorch model pruned by razor",
             razor::component<tiny_vgg::TinyVggImpl>(
                 "tiny_vgg", "Small VGG-style classifier with a residual pair and two concatenated branches; any image size"))
