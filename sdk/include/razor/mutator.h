#pragma once
/// Mutator: finds the mutables of a model, groups them, and samples or sets their choices together.
#include <map>
#include <string>

#include "razor/component.h"
#include "razor/model.h"

namespace razor {

/// A subnet: stable group key -> chosen value.
using Subnet = std::map<std::string, std::string>;

enum class SampleKind { random, max, min };

class RAZOR_API Mutator : public Component {
 public:
  static constexpr const char* kKind = "mutator";
  ~Mutator() override;
  /// Discovers the mutables of `supernet` and builds the search groups.
  virtual void prepare(Model& supernet) = 0;
  /// Picks a choice for every group, applies it, and returns it.
  virtual Subnet sample(SampleKind kind) = 0;
  /// Applies a subnet; throws razor::Error naming an unknown key or choice.
  virtual void set(const Subnet& subnet) = 0;
  virtual Subnet current() const = 0;
};

}  // namespace razor
