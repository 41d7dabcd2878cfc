#pragma once
/// Mutator: finds the mutables of a model, groups them, and samples, sets or fixes their choices together.
#include <vector>

#include "razor/component.h"
#include "razor/model.h"
#include "razor/search_space.h"

namespace razor {

class RAZOR_API Mutator : public Component {
 public:
  static constexpr const char* kKind = "mutator";
  ~Mutator() override;
  /// Discovers the mutables of `supernet` and builds the search groups.
  virtual void prepare(Model& supernet) = 0;
  /// The search groups, in a stable order (empty before prepare()).
  virtual const std::vector<SearchGroup>& groups() const = 0;
  /// Picks a choice for every group, applies it, and returns it.
  virtual Subnet sample(SampleKind kind) = 0;
  /// Applies a subnet; throws razor::Error naming an unknown or missing key or an unknown choice.
  virtual void set(const Subnet& subnet) = 0;
  virtual Subnet current() const = 0;
  /// Irreversibly fixes every mutable to `subnet`: unchosen candidates are freed (a static model).
  virtual void fix(const Subnet& subnet) = 0;
};

}  // namespace razor
