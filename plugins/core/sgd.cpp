#include "sgd.h"

#include <torch/optim/sgd.h>

namespace razor::core {

void SgdOptions::validate(const ConfigView& cfg) const {
  if (nesterov && momentum <= 0) cfg.fail("nesterov", "needs momentum > 0");
}

Sgd::Sgd(const BuildContext&, const Options& options) : o_(options) {}

std::unique_ptr<torch::optim::Optimizer> Sgd::create(const std::vector<at::Tensor>& parameters) const {
  return std::make_unique<torch::optim::SGD>(
      parameters, torch::optim::SGDOptions(o_.lr).momentum(o_.momentum).nesterov(o_.nesterov).weight_decay(o_.weight_decay));
}

}  // namespace razor::core
