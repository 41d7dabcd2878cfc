#pragma once
/// DerivedValue: a number computed from searched values (OneShotValue), never chosen on its own —
/// e.g. a block's hidden width = its input width × the searched expand ratio. It is recomputed from
/// its sources on every read, so it always agrees with them, and it is fixed exactly when they are.
/// It is not a Mutable: mutators neither group nor sample it.
///
/// Example:
///   OneShotValue ratio(std::vector<std::int64_t>{3, 4, 6});
///   auto hidden = DerivedValue::expand(ratio, 16);          // 48, 64 or 96
///   auto half = DerivedValue::divide(ratio, 2.0, 8);        // make_divisible(ratio / 2, 8)
#include <cstdint>
#include <functional>
#include <vector>

#include "razor/one_shot_value.h"

namespace razor {

/// The nearest multiple of `divisor` to `value`, at least `min_value` (default: divisor), and not
/// below `round_limit` × value (else one divisor more): MobileNet's channel rounding.
RAZOR_API std::int64_t make_divisible(double value, std::int64_t divisor, std::int64_t min_value = 0,
                                      double round_limit = 0.9);

class RAZOR_API DerivedValue {
 public:
  using Function = std::function<double(const std::vector<double>& source_values)>;
  DerivedValue(std::vector<OneShotValue> sources, Function function);

  /// source × factor.
  static DerivedValue expand(const OneShotValue& source, double factor);
  /// make_divisible(source / ratio, divisor).
  static DerivedValue divide(const OneShotValue& source, double ratio, std::int64_t divisor);
  /// The sum of the sources (widths of concatenated branches).
  static DerivedValue concat(std::vector<OneShotValue> sources);

  /// Computed now from the sources' current values.
  double value() const;
  /// value() rounded to the nearest integer.
  std::int64_t as_int() const;
  /// True when every source is fixed.
  bool is_fixed() const;
  const std::vector<OneShotValue>& sources() const { return sources_; }

 private:
  std::vector<OneShotValue> sources_;
  Function function_;
};

}  // namespace razor
