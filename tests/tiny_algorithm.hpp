#pragma once
// The smallest algorithm a checkpoint can hold: a Linear model and an SGD optimizer with momentum (so the
// optimizer has state too). For checkpoint tests and the checkpoint fuzz target.
#include <memory>

#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

#include "razor/algorithm.h"

namespace razor::test {

class TinyModel final : public Model {
 public:
  explicit TinyModel(std::int64_t classes) : fc_(register_module("fc", torch::nn::Linear(4, classes))) {}
  at::Tensor forward(const at::Tensor& x) override { return fc_(x.flatten(1)); }

 private:
  torch::nn::Linear fc_;
};

class TinyAlgorithm final : public Algorithm {
 public:
  explicit TinyAlgorithm(std::int64_t classes = 3)
      : model_(register_module("architecture", std::make_shared<TinyModel>(classes))) {}
  at::Tensor predict(const at::Tensor& x) override { return model_->forward(x); }
  Model& model() override { return *model_; }

 private:
  std::shared_ptr<TinyModel> model_;
};

/// An algorithm with its optimizer, after one step (momentum buffers filled) when `step` is set.
struct Trainee {
  explicit Trainee(std::int64_t classes = 3, bool step = false) : algorithm(std::make_shared<TinyAlgorithm>(classes)) {
    if (step) {
      algorithm->predict(at::ones({2, 4})).sum().backward();
      optimizer.step();
    }
  }
  std::shared_ptr<TinyAlgorithm> algorithm;
  torch::optim::SGD optimizer{algorithm->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9)};
};

}  // namespace razor::test
