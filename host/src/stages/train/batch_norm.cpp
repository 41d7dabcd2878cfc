#include "stages/train/batch_norm.h"

#include <c10/core/GradMode.h>
#include <torch/nn/modules/batchnorm.h>

namespace razor::host {
namespace {

// Calls f(layer, options, running_mean, running_var, num_batches_tracked) for every batch-norm layer.
template <class F>
void for_each_batch_norm(torch::nn::Module& module, F&& f) {
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm1dImpl*>(m.get())) f(*bn);
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) f(*bn);
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm3dImpl*>(m.get())) f(*bn);
  }
}

}  // namespace

BatchNormSnapshot::BatchNormSnapshot(torch::nn::Module& module) {
  for_each_batch_norm(module, [&](auto& bn) {
    for (const at::Tensor& t : {bn.running_mean, bn.running_var, bn.num_batches_tracked})
      if (t.defined()) buffers_.emplace_back(t, t.clone());
  });
}

void BatchNormSnapshot::restore() const {
  c10::NoGradGuard no_grad;
  for (const auto& [live, copy] : buffers_) const_cast<at::Tensor&>(live).copy_(copy);
}

void calibrate_batch_norm(torch::nn::Module& module, const std::function<void(const at::Tensor&)>& forward,
                          const BatchLoader& loader, std::int64_t samples, c10::Device device) {
  c10::NoGradGuard no_grad;
  const bool was_training = module.is_training();
  std::vector<std::pair<c10::optional<double>*, c10::optional<double>>> momenta;
  for_each_batch_norm(module, [&](auto& bn) {
    bn.reset_running_stats();
    momenta.emplace_back(&bn.options.momentum(), bn.options.momentum());
    bn.options.momentum() = c10::nullopt;  // cumulative average: batch n weighs 1/n
  });
  module.train();
  std::int64_t seen = 0;
  for (std::int64_t i = 0; i < loader.batches_per_epoch() && seen < samples; ++i) {
    at::Tensor images = loader.batch(0, i).inputs;
    images = images.narrow(0, 0, std::min<std::int64_t>(images.size(0), samples - seen));
    forward(images.to(device));
    seen += images.size(0);
  }
  for (auto& [slot, value] : momenta) *slot = value;
  module.train(was_training);
}

BatchStatsGuard::BatchStatsGuard(torch::nn::Module& module) {
  for_each_batch_norm(module, [&](auto& bn) {
    saved_.push_back({&bn, &bn.options.momentum(), bn.options.momentum(), bn.is_training()});
    bn.options.momentum() = 0.0;  // batch statistics normalise; running statistics stay as they are
    bn.train(true);
  });
}

BatchStatsGuard::~BatchStatsGuard() {
  for (auto& s : saved_) {
    *s.momentum = s.before;
    s.layer->train(s.training);
  }
}

}  // namespace razor::host
