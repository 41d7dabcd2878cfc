// Sampling subnets from search groups.
#include <fmt/format.h>

#include "razor/errors.h"
#include "razor/search_space.h"

namespace razor {

bool NaturalOrder::operator()(const std::string& a, const std::string& b) const {
  std::size_t i = 0, j = 0;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      // Compare the runs as numbers: without leading zeros, a longer run is larger.
      std::size_t si = i, sj = j;
      while (si + 1 < ei && a[si] == '0') ++si;
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      if (const int c = a.compare(si, ei - si, b, sj, ej - sj); c != 0) return c < 0;
      if (ei - i != ej - j) return ei - i < ej - j;  // "01" after "1": keep the order strict
      i = ei, j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string sample_choice(const SearchGroup& group, std::mt19937_64& rng) {
  if (group.choices.empty()) throw Error(fmt::format("search group '{}' has no choices", group.key));
  if (group.probs.empty()) {
    std::uniform_int_distribution<std::size_t> pick(0, group.choices.size() - 1);
    return group.choices[pick(rng)];
  }
  std::discrete_distribution<std::size_t> pick(group.probs.begin(), group.probs.end());
  return group.choices.at(pick(rng));
}

Subnet sample_subnet(const std::vector<SearchGroup>& groups, SampleKind kind, std::mt19937_64& rng) {
  Subnet subnet;
  for (const auto& g : groups) {
    if (g.choices.empty()) throw Error(fmt::format("search group '{}' has no choices", g.key));
    switch (kind) {
      case SampleKind::random: subnet[g.key] = sample_choice(g, rng); break;
      case SampleKind::max: subnet[g.key] = g.choices.back(); break;
      case SampleKind::min: subnet[g.key] = g.choices.front(); break;
    }
  }
  return subnet;
}

double space_size(const std::vector<SearchGroup>& groups) {
  double n = 1.0;
  for (const auto& g : groups) n *= static_cast<double>(g.choices.size());
  return n;
}

std::string subnet_text(const Subnet& subnet) {
  std::string text;
  for (const auto& [key, choice] : subnet) text += (text.empty() ? "" : ", ") + key + "=" + choice;
  return text;
}

}  // namespace razor
