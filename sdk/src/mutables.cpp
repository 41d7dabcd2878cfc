// ChoiceMutable, OneShotOp and OneShotValue: the mutables plugins build search spaces from.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "razor/errors.h"
#include "razor/one_shot_op.h"
#include "razor/one_shot_value.h"

namespace razor {

ChoiceMutable::ChoiceMutable(std::string alias) : alias_(std::move(alias)) {}
ChoiceMutable::~ChoiceMutable() = default;

void ChoiceMutable::check_choice(const std::string& choice) const {
  if (std::find(choices_.begin(), choices_.end(), choice) == choices_.end()) {
    throw Error(fmt::format("unknown choice '{}' (choices: {})", choice, fmt::join(choices_, ", ")));
  }
}

void ChoiceMutable::add_choice(const std::string& choice) {
  if (fixed_) throw Error(fmt::format("cannot add choice '{}': the mutable is fixed", choice));
  if (std::find(choices_.begin(), choices_.end(), choice) != choices_.end()) {
    throw Error(fmt::format("duplicate choice '{}'", choice));
  }
  choices_.push_back(choice);
  probs_.clear();  // probabilities no longer match the choices
}

void ChoiceMutable::set_probs(std::vector<double> probs) {
  if (!probs.empty() && probs.size() != choices_.size()) {
    throw Error(fmt::format("{} probabilities for {} choices", probs.size(), choices_.size()));
  }
  for (double p : probs)
    if (!(p >= 0.0)) throw Error(fmt::format("probability {} is negative", p));
  const double sum = std::accumulate(probs.begin(), probs.end(), 0.0);
  if (!probs.empty() && std::abs(sum - 1.0) > 1e-6) throw Error(fmt::format("probabilities sum to {}, not 1", sum));
  probs_ = std::move(probs);
}

void ChoiceMutable::set_choice(const std::string& choice) {
  check_choice(choice);  // a fixed mutable has one choice left, so this also rejects changing it
  current_ = choice;
}

void ChoiceMutable::fix(const std::string& choice) {
  if (fixed_) throw Error(fmt::format("cannot fix to '{}': already fixed to '{}'", choice, *current_));
  check_choice(choice);
  on_fix(choice);
  choices_ = {choice};
  probs_.clear();
  current_ = choice;
  fixed_ = true;
}

void ChoiceMutable::on_fix(const std::string&) {}

// --- OneShotOp --------------------------------------------------------------------------------

OneShotOpImpl::OneShotOpImpl(std::string alias) : ChoiceMutable(std::move(alias)) {}
OneShotOpImpl::~OneShotOpImpl() = default;

void OneShotOpImpl::add(const std::string& name, torch::nn::AnyModule op) {
  add_choice(name);
  register_module(name, op.ptr());
  names_.push_back(name);
  ops_.push_back(std::move(op));
}

at::Tensor OneShotOpImpl::forward(const at::Tensor& x) {
  if (ops_.empty()) throw Error("one-shot op has no candidates");
  if (const auto choice = current_choice()) {
    const auto at = std::find(names_.begin(), names_.end(), *choice) - names_.begin();
    return ops_[at].forward(x);
  }
  at::Tensor sum = ops_[0].forward(x);
  for (std::size_t i = 1; i < ops_.size(); ++i) sum = sum + ops_[i].forward(x);
  return sum;
}

std::shared_ptr<torch::nn::Module> OneShotOpImpl::candidate(const std::string& name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) throw Error(fmt::format("no candidate '{}' (candidates: {})", name, fmt::join(names_, ", ")));
  return ops_[it - names_.begin()].ptr();
}

void OneShotOpImpl::on_fix(const std::string& choice) {
  const auto keep = std::find(names_.begin(), names_.end(), choice) - names_.begin();
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (static_cast<std::ptrdiff_t>(i) != keep) unregister_module(names_[i]);
  names_ = {names_[keep]};
  ops_ = {ops_[keep]};
}

// --- OneShotValue -----------------------------------------------------------------------------

namespace {

std::vector<double> ascending(std::vector<double> values) {
  if (values.empty()) throw Error("a mutable value needs at least one value");
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (!(values[i] > values[i - 1])) {
      throw Error(fmt::format("mutable values must be strictly ascending, got [{}]", fmt::join(values, ", ")));
    }
  }
  return values;
}

}  // namespace

OneShotValueImpl::OneShotValueImpl(std::vector<std::int64_t> values, std::string alias)
    : ChoiceMutable(std::move(alias)), values_(ascending({values.begin(), values.end()})), integral_(true) {
  for (auto v : values) add_choice(std::to_string(v));
}

OneShotValueImpl::OneShotValueImpl(std::vector<double> values, std::string alias)
    : ChoiceMutable(std::move(alias)), values_(ascending(std::move(values))), integral_(false) {
  for (double v : values_) add_choice(fmt::format("{}", v));
}

OneShotValueImpl::~OneShotValueImpl() = default;

double OneShotValueImpl::value() const {
  const auto choice = current_choice();
  if (!choice) return values_.back();
  // choices() shrinks to one on fix, so look the choice up by text in the full list of values.
  for (double v : values_)
    if ((integral_ ? std::to_string(static_cast<std::int64_t>(v)) : fmt::format("{}", v)) == *choice) return v;
  throw Error(fmt::format("mutable value has no value '{}'", *choice));
}

std::int64_t OneShotValueImpl::as_int() const {
  if (!integral_) throw Error("as_int() on a mutable value with non-integer choices");
  return static_cast<std::int64_t>(value());
}

}  // namespace razor
