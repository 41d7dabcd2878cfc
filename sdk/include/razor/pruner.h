#pragma once
/// Pruner: decides how many channels each dependent channel group of a model keeps.
#include <cstdint>
#include <map>
#include <string>

#include "razor/component.h"
#include "razor/model.h"

namespace razor {

class RAZOR_API Pruner : public Component {
 public:
  static constexpr const char* kKind = "pruner";
  ~Pruner() override;
  /// Analyses the model's channel dependencies.
  virtual void prepare(Model& model) = 0;
  /// Applies one pruning decision; returns group name -> channels kept.
  virtual std::map<std::string, std::int64_t> prune(Model& model) = 0;
};

}  // namespace razor
