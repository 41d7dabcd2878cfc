#include "train/optimizer_factory.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

namespace razor::host {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const ConfigView& s,
                                                        const std::vector<at::Tensor>& parameters) {
  const std::string type = s.get<std::string>("type");
  const double lr = s.get<double>("lr");
  if (lr <= 0) s.fail("lr", "must be positive");
  const double weight_decay = s.get<double>("weight_decay");
  if (weight_decay < 0) s.fail("weight_decay", "must not be negative");
  if (type == "sgd") {
    const double momentum = s.get<double>("momentum");
    const bool nesterov = s.get<bool>("nesterov");
    if (nesterov && momentum <= 0) s.fail("nesterov", "needs momentum > 0");
    return std::make_unique<torch::optim::SGD>(
        parameters,
        torch::optim::SGDOptions(lr).momentum(momentum).nesterov(nesterov).weight_decay(weight_decay));
  }
  if (type == "adam" || type == "adamw") {
    const auto betas = s.get<std::vector<double>>("betas");
    if (betas.size() != 2) s.fail("betas", "expected two numbers, e.g. [0.9, 0.999]");
    const double eps = s.get<double>("eps");
    if (type == "adam") {
      return std::make_unique<torch::optim::Adam>(
          parameters, torch::optim::AdamOptions(lr).betas({betas[0], betas[1]}).eps(eps).weight_decay(weight_decay));
    }
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(lr).betas({betas[0], betas[1]}).eps(eps).weight_decay(weight_decay));
  }
  s.fail("type", "unknown optimizer '" + type + "' (known: sgd, adam, adamw)");
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

void clear_gradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) p.mutable_grad() = at::Tensor();
}

}  // namespace razor::host
