#pragma once
/// OneShotOp: a layer whose operation is searched among named candidates (SPOS, DetNAS).
/// With a choice, forward runs only the chosen candidate (the others get no gradient); with no
/// choice yet, it returns the sum of all candidates (shape checks, cost of the whole supernet).
/// fix() keeps the chosen candidate and frees the others.
///
/// Example:
///   OneShotOp op("stage1");
///   op->add("conv3x3", torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 8, 3).padding(1)));
///   op->add("conv5x5", torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 8, 5).padding(2)));
///   op->set_choice("conv5x5");
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include "razor/mutable.h"

namespace razor {

class RAZOR_API OneShotOpImpl : public torch::nn::Module, public ChoiceMutable {
 public:
  /// `alias`: search-group alias (ops with the same alias take one decision); empty = decide alone.
  explicit OneShotOpImpl(std::string alias = "");
  ~OneShotOpImpl() override;

  /// Adds candidate `name` (also its submodule name). Names must be unique; not after fix().
  void add(const std::string& name, torch::nn::AnyModule op);
  template <class ModuleHolder>
  void add(const std::string& name, ModuleHolder op) {
    add(name, torch::nn::AnyModule(std::move(op)));
  }

  /// The chosen candidate's output; the sum of all candidates' outputs when nothing is chosen.
  at::Tensor forward(const at::Tensor& x);
  /// The module of candidate `name` (throws razor::Error for an unknown or freed one).
  std::shared_ptr<torch::nn::Module> candidate(const std::string& name) const;

 protected:
  void on_fix(const std::string& choice) override;

 private:
  std::vector<std::string> names_;  // parallel to ops_; shrinks to one on fix()
  std::vector<torch::nn::AnyModule> ops_;
};
TORCH_MODULE(OneShotOp);

}  // namespace razor
