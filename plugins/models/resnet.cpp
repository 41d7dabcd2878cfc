#include "resnet.h"

#include <ATen/ATen.h>

#include "backbone_taps.h"
#include "global_pool.h"

namespace razor::models {

void ResNetOptions::validate(const ConfigView& cfg) const {
  check_per_stage(cfg, "strides", strides(), widths().size());
  check_per_stage(cfg, "blocks", blocks(), widths().size());
}

BasicBlockImpl::BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride) {
  conv1 = register_module("conv1", ConvBn(ConvBnOptions(in, out, 3).stride(stride)));
  conv2 = register_module("conv2", ConvBn(ConvBnOptions(out, out, 3).activation(Activation::none)));
  if (stride != 1 || in != out) {
    shortcut = register_module("shortcut", ConvBn(ConvBnOptions(in, out, 1).stride(stride).activation(Activation::none)));
  }
}

at::Tensor BasicBlockImpl::forward(at::Tensor x) {
  at::Tensor identity = shortcut ? shortcut->forward(x) : x;
  return at::relu(conv2->forward(conv1->forward(x)) + identity);
}

std::string BasicBlockImpl::torchscript_forward() const {
  return std::string("def forward(self, x: Tensor) -> Tensor:\n") +
         "    return torch.relu(self.conv2.forward(self.conv1.forward(x)) + " +
         (shortcut ? "self.shortcut.forward(x)" : "x") + ")\n";
}

ResNetImpl::ResNetImpl(const ResNetOptions& o) : options(o) {
  stem = register_module("stem", ConvBn(ConvBnOptions(o.in_channels(), o.stem_channels(), 3)));
  stages = register_module("stages", torch::nn::Sequential());
  std::int64_t channels = o.stem_channels();
  for (std::size_t s = 0; s < o.widths().size(); ++s) {
    for (std::int64_t b = 0; b < o.blocks()[s]; ++b) {
      stages->push_back(BasicBlock(channels, o.widths()[s], b == 0 ? o.strides()[s] : 1));
      channels = o.widths()[s];
    }
  }
  fc = register_module("fc", torch::nn::Linear(channels, o.num_classes()));
  taps = register_module("taps", backbone_taps("stages", stages->size(), false));
}

at::Tensor ResNetImpl::forward(const at::Tensor& x) {
  at::Tensor y = forward_blocks(*taps, stages, taps->record("stem", stem->forward(x)));
  return taps->record("fc", fc->forward(taps->record("pool", global_pool(y))));
}

std::string ResNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = self.stages.forward(self.stem.forward(x))\n"
         "    return self.fc.forward(" +
         global_pool_script("x") + ")\n";
}

}  // namespace razor::models
