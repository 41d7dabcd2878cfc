#include "shufflenet_v2.h"

#include <ATen/ATen.h>

#include "backbone_taps.h"
#include "global_pool.h"

namespace razor::models {

void ShuffleNetV2Options::validate(const ConfigView& cfg) const {
  check_even_widths(cfg, widths());
  check_per_stage(cfg, "strides", strides(), widths().size());
  check_per_stage(cfg, "repeats", repeats(), widths().size());
}
namespace {

// The shared two-branch step of ShuffleUnit and ShuffleXception: split (or shortcut), concatenate, shuffle.
at::Tensor two_branch_forward(bool split, torch::nn::Sequential& shortcut, torch::nn::Sequential& branch,
                              const at::Tensor& x) {
  at::Tensor y;
  if (split) {
    auto halves = x.chunk(2, 1);
    y = at::cat({halves[0], branch->forward(halves[1])}, 1);
  } else {
    y = at::cat({shortcut->forward(x), branch->forward(x)}, 1);
  }
  return shuffle_channels(y, 2);
}

// two_branch_forward as TorchScript; the sizes are read at run time, so any input size works.
std::string two_branch_script(bool split) {
  std::string s = "def forward(self, x: Tensor) -> Tensor:\n";
  if (split) {
    s += "    halves = x.chunk(2, 1)\n"
         "    y = torch.cat([halves[0], self.branch.forward(halves[1])], 1)\n";
  } else {
    s += "    y = torch.cat([self.shortcut.forward(x), self.branch.forward(x)], 1)\n";
  }
  s += "    n, c, h, w = y.size(0), y.size(1), y.size(2), y.size(3)\n"
       "    return y.view([n, 2, c // 2, h, w]).transpose(1, 2).reshape([n, c, h, w])\n";
  return s;
}

// Depthwise kxk (stride) + BN, then 1x1 + BN + ReLU: the shortcut when the unit does not split.
torch::nn::Sequential shortcut_of(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t k) {
  return torch::nn::Sequential(
      ConvBn(ConvBnOptions(in, in, k).stride(stride).groups(in).activation(Activation::none)),
      ConvBn(ConvBnOptions(in, out, 1)));
}

ConvBn depthwise(std::int64_t channels, std::int64_t k, std::int64_t stride = 1) {
  return ConvBn(ConvBnOptions(channels, channels, k).stride(stride).groups(channels).activation(Activation::none));
}

}  // namespace

at::Tensor shuffle_channels(const at::Tensor& x, std::int64_t groups) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({n, groups, c / groups, h, w}).transpose(1, 2).reshape({n, c, h, w});
}

ShuffleUnitImpl::ShuffleUnitImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t k)
    : split(stride == 1 && in == out) {
  const std::int64_t half = out / 2;
  const std::int64_t branch_in = split ? half : in;
  branch = register_module("branch", torch::nn::Sequential(ConvBn(ConvBnOptions(branch_in, half, 1)),
                                                           depthwise(half, k, stride),
                                                           ConvBn(ConvBnOptions(half, half, 1))));
  if (!split) shortcut = register_module("shortcut", shortcut_of(in, out - half, stride, k));
}

at::Tensor ShuffleUnitImpl::forward(at::Tensor x) { return two_branch_forward(split, shortcut, branch, x); }

std::string ShuffleUnitImpl::torchscript_forward() const { return two_branch_script(split); }

ShuffleXceptionImpl::ShuffleXceptionImpl(std::int64_t in, std::int64_t out, std::int64_t stride)
    : split(stride == 1 && in == out) {
  const std::int64_t half = out / 2;
  const std::int64_t branch_in = split ? half : in;
  branch = register_module(
      "branch", torch::nn::Sequential(depthwise(branch_in, 3, stride), ConvBn(ConvBnOptions(branch_in, half, 1)),
                                      depthwise(half, 3), ConvBn(ConvBnOptions(half, half, 1)),
                                      depthwise(half, 3), ConvBn(ConvBnOptions(half, half, 1))));
  if (!split) shortcut = register_module("shortcut", shortcut_of(in, out - half, stride, 3));
}

at::Tensor ShuffleXceptionImpl::forward(at::Tensor x) { return two_branch_forward(split, shortcut, branch, x); }

std::string ShuffleXceptionImpl::torchscript_forward() const { return two_branch_script(split); }

ShuffleNetV2Impl::ShuffleNetV2Impl(const ShuffleNetV2Options& o) : options(o) {
  stem = register_module("stem", ConvBn(ConvBnOptions(o.in_channels(), o.stem_channels(), 3)));
  stages = register_module("stages", torch::nn::Sequential());
  std::int64_t channels = o.stem_channels();
  for (std::size_t s = 0; s < o.widths().size(); ++s) {
    for (std::int64_t r = 0; r < o.repeats()[s]; ++r) {
      stages->push_back(ShuffleUnit(channels, o.widths()[s], r == 0 ? o.strides()[s] : 1));
      channels = o.widths()[s];
    }
  }
  last = register_module("last", ConvBn(ConvBnOptions(channels, o.last_channels(), 1)));
  fc = register_module("fc", torch::nn::Linear(o.last_channels(), o.num_classes()));
  taps = register_module("taps", backbone_taps("stages", stages->size(), true));
}

at::Tensor ShuffleNetV2Impl::forward(const at::Tensor& x) {
  at::Tensor y = forward_blocks(*taps, stages, taps->record("stem", stem->forward(x)));
  y = taps->record("last", last->forward(y));
  return taps->record("fc", fc->forward(taps->record("pool", global_pool(y))));
}

std::string ShuffleNetV2Impl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = self.last.forward(self.stages.forward(self.stem.forward(x)))\n"
         "    return self.fc.forward(" +
         global_pool_script("x") + ")\n";
}

}  // namespace razor::models
