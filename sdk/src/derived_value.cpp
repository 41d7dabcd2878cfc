#include "razor/derived_value.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "razor/errors.h"

namespace razor {

std::int64_t make_divisible(double value, std::int64_t divisor, std::int64_t min_value, double round_limit) {
  if (divisor <= 0) throw Error("make_divisible: the divisor must be positive");
  if (min_value <= 0) min_value = divisor;
  const auto rounded = static_cast<std::int64_t>(value + divisor / 2.0) / divisor * divisor;
  std::int64_t result = std::max(min_value, rounded);
  if (result < round_limit * value) result += divisor;  // never round down by more than (1 - round_limit)
  return result;
}

DerivedValue::DerivedValue(std::vector<OneShotValue> sources, Function function)
    : sources_(std::move(sources)), function_(std::move(function)) {
  if (sources_.empty()) throw Error("a derived value needs at least one source");
  for (const auto& s : sources_)
    if (!s) throw Error("a derived value's source is empty");
}

DerivedValue DerivedValue::expand(const OneShotValue& source, double factor) {
  return DerivedValue({source}, [factor](const std::vector<double>& v) { return v[0] * factor; });
}

DerivedValue DerivedValue::divide(const OneShotValue& source, double ratio, std::int64_t divisor) {
  if (ratio <= 0) throw Error("a derived value's divide ratio must be positive");
  return DerivedValue({source}, [ratio, divisor](const std::vector<double>& v) {
    return static_cast<double>(make_divisible(v[0] / ratio, divisor));
  });
}

DerivedValue DerivedValue::concat(std::vector<OneShotValue> sources) {
  return DerivedValue(std::move(sources),
                      [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); });
}

double DerivedValue::value() const {
  std::vector<double> values;
  values.reserve(sources_.size());
  for (const auto& s : sources_) values.push_back(s->value());
  return function_(values);
}

std::int64_t DerivedValue::as_int() const { return static_cast<std::int64_t>(std::llround(value())); }

bool DerivedValue::is_fixed() const {
  return std::all_of(sources_.begin(), sources_.end(), [](const OneShotValue& s) { return s->is_fixed(); });
}

}  // namespace razor
