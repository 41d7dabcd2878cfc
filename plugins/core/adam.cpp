#include "adam.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

namespace razor::core {

std::unique_ptr<torch::optim::Optimizer> Adam::create(const std::vector<at::Tensor>& parameters) const {
  const std::tuple<double, double> betas{o_.betas[0], o_.betas[1]};
  if (decoupled_) {
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(o_.lr).betas(betas).eps(o_.eps).weight_decay(o_.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(o_.lr).betas(betas).eps(o_.eps).weight_decay(o_.weight_decay));
}

}  // namespace razor::core
