#pragma once
/// Search space: the decisions a mutator exposes (one group per alias or mutable path) and
/// sampling a subnet from them.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "razor/export.h"

namespace razor {

/// Orders keys with numbers by their value: "blocks.2" before "blocks.10".
struct RAZOR_API NaturalOrder {
  bool operator()(const std::string& a, const std::string& b) const;
};

/// A subnet: stable group key -> chosen value, in natural key order.
using Subnet = std::map<std::string, std::string, NaturalOrder>;

enum class SampleKind { random, max, min };

/// One decision of a search space: its key (alias or module path), its ordered choices, and the
/// sampling probabilities (empty = uniform).
struct SearchGroup {
  std::string key;
  std::vector<std::string> choices;
  std::vector<double> probs;
};

/// random: each group independently by its probabilities; max/min: each group's last/first choice.
RAZOR_API Subnet sample_subnet(const std::vector<SearchGroup>& groups, SampleKind kind, std::mt19937_64& rng);

/// One choice of `group` drawn by its probabilities.
RAZOR_API std::string sample_choice(const SearchGroup& group, std::mt19937_64& rng);

/// Number of distinct subnets (a double: spaces grow past 2^64 quickly).
RAZOR_API double space_size(const std::vector<SearchGroup>& groups);

/// "a=x, b=y" for logs.
RAZOR_API std::string subnet_text(const Subnet& subnet);

}  // namespace razor
