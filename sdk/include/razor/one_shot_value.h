#pragma once
/// OneShotValue: a searched number (kernel size, expand ratio, depth) that its owner reads in forward.
/// Values are ascending, so the first choice is the minimum and the last the maximum. Before any
/// choice the value is the maximum. It holds no parameters; it is a module so mutators find it.
///
/// Example:
///   OneShotValue depth(std::vector<std::int64_t>{2, 3, 4}, "stage2.depth");
///   for (std::int64_t i = 0; i < depth->as_int(); ++i) x = blocks[i](x);
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "razor/mutable.h"

namespace razor {

class RAZOR_API OneShotValueImpl : public torch::nn::Module, public ChoiceMutable {
 public:
  /// Throws razor::Error unless `values` are strictly ascending and non-empty.
  explicit OneShotValueImpl(std::vector<std::int64_t> values, std::string alias = "");
  explicit OneShotValueImpl(std::vector<double> values, std::string alias = "");
  ~OneShotValueImpl() override;

  /// The current value (the maximum when nothing is chosen).
  double value() const;
  /// value() for integer choices (throws razor::Error if the choices are not integers).
  std::int64_t as_int() const;

 private:
  std::vector<double> values_;
  bool integral_;
};
TORCH_MODULE(OneShotValue);

}  // namespace razor
