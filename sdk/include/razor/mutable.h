#pragma once
/// Mutable: one searchable decision inside a model (which op, which value, how many channels).
/// Choices are strings in a fixed order; for ordered choices the first is the minimum and the last the
/// maximum. Mutables sharing an alias take one decision together.
#include <optional>
#include <string>
#include <vector>

#include "razor/export.h"

namespace razor {

class RAZOR_API Mutable {
 public:
  virtual ~Mutable();
  virtual const std::vector<std::string>& choices() const = 0;
  /// The current choice; empty means "no choice yet" (a one-shot op then runs all candidates).
  virtual std::optional<std::string> current_choice() const = 0;
  /// Throws razor::Error if `choice` is not one of choices().
  virtual void set_choice(const std::string& choice) = 0;
  /// Irreversible: keeps only `choice` (other candidates' parameters are removed). Fixing twice throws.
  virtual void fix(const std::string& choice) = 0;
  virtual bool is_fixed() const = 0;
  /// Search-group alias; empty when the mutable decides alone.
  virtual const std::string& alias() const = 0;
};

}  // namespace razor
