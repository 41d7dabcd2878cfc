#include "shufflenet_v2.h"

#include <ATen/ATen.h>

#include "global_pool.h"

namespace razor::zoo {

at::Tensor shuffle_channels(const at::Tensor& x, std::int64_t groups) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({n, groups, c / groups, h, w}).transpose(1, 2).reshape({n, c, h, w});
}

ShuffleUnitImpl::ShuffleUnitImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::int64_t k)
    : split(stride == 1 && in == out) {
  const std::int64_t half = out / 2;
  const std::int64_t branch_in = split ? half : in;
  branch = register_module(
      "branch", torch::nn::Sequential(
                    ConvBn(ConvBnOptions(branch_in, half, 1)),
                    ConvBn(ConvBnOptions(half, half, k).stride(stride).groups(half).activation(Activation::none)),
                    ConvBn(ConvBnOptions(half, half, 1))));
  if (!split) {
    shortcut = register_module(
        "shortcut", torch::nn::Sequential(
                        ConvBn(ConvBnOptions(in, in, k).stride(stride).groups(in).activation(Activation::none)),
                        ConvBn(ConvBnOptions(in, out - half, 1))));
  }
}

at::Tensor ShuffleUnitImpl::forward(at::Tensor x) {
  at::Tensor y;
  if (split) {
    auto halves = x.chunk(2, 1);
    y = at::cat({halves[0], branch->forward(halves[1])}, 1);
  } else {
    y = at::cat({shortcut->forward(x), branch->forward(x)}, 1);
  }
  return shuffle_channels(y, 2);
}

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
}

at::Tensor ShuffleNetV2Impl::forward(const at::Tensor& x) {
  return fc->forward(global_pool(last->forward(stages->forward(stem->forward(x)))));
}

}  // namespace razor::zoo
