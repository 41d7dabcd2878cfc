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
  /// Sampling probabilities, one per choice, summing to 1; empty means uniform.
  virtual const std::vector<double>& probs() const = 0;
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

/// The bookkeeping every mutable shares: choice list, probabilities, alias, current choice, fixed
/// flag, and the checks (unknown choice, fixing twice, changing a fixed choice). Implementations
/// derive from it, add their choices, and react to fix() in on_fix().
class RAZOR_API ChoiceMutable : public Mutable {
 public:
  explicit ChoiceMutable(std::string alias = "");
  ~ChoiceMutable() override;

  const std::vector<std::string>& choices() const override { return choices_; }
  const std::vector<double>& probs() const override { return probs_; }
  std::optional<std::string> current_choice() const override { return current_; }
  void set_choice(const std::string& choice) override;
  void fix(const std::string& choice) override;
  bool is_fixed() const override { return fixed_; }
  const std::string& alias() const override { return alias_; }

  /// Non-uniform sampling: one non-negative probability per choice, summing to 1 (else razor::Error).
  void set_probs(std::vector<double> probs);

 protected:
  /// Appends a choice; throws razor::Error on a duplicate or once fixed.
  void add_choice(const std::string& choice);
  /// Called by fix() after the checks, before the choice list shrinks to {choice}.
  virtual void on_fix(const std::string& choice);
  /// Throws razor::Error naming `choice` and the valid ones unless it is one of choices().
  void check_choice(const std::string& choice) const;

 private:
  std::vector<std::string> choices_;
  std::vector<double> probs_;
  std::string alias_;
  std::optional<std::string> current_;
  bool fixed_ = false;
};

}  // namespace razor
