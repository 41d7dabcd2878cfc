#include "model_options.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace razor::models {
namespace {

std::int64_t positive(const razor::ConfigView& cfg, const std::string& key) {
  const auto v = cfg.get<std::int64_t>(key);
  if (v <= 0) cfg.fail(key, "must be positive");
  return v;
}

// An int list of positive values with one entry per stage (the length of `widths`).
std::vector<std::int64_t> per_stage(const razor::ConfigView& cfg, const std::string& key, std::size_t stages) {
  auto v = cfg.get<std::vector<std::int64_t>>(key);
  if (v.size() != stages) {
    cfg.fail(key, "needs one value per stage (" + std::to_string(stages) + " widths), got " + std::to_string(v.size()));
  }
  for (auto x : v)
    if (x <= 0) cfg.fail(key, "values must be positive");
  return v;
}

std::vector<std::int64_t> widths(const razor::ConfigView& cfg) {
  auto w = cfg.get<std::vector<std::int64_t>>("widths");
  if (w.empty()) cfg.fail("widths", "needs at least one stage");
  for (auto x : w)
    if (x <= 0) cfg.fail("widths", "values must be positive");
  return w;
}

// widths() for ShuffleNet units, which split their channels in halves.
std::vector<std::int64_t> even_widths(const razor::ConfigView& cfg) {
  auto w = widths(cfg);
  for (auto x : w)
    if (x % 2 != 0) cfg.fail("widths", "values must be even (units split channels in halves)");
  return w;
}

// SPOS block candidates: known names, each once (a duplicate would be an ambiguous choice).
std::vector<std::string> spos_candidates(const razor::ConfigView& cfg) {
  auto names = cfg.get<std::vector<std::string>>("candidates");
  if (names.empty()) cfg.fail("candidates", "needs at least one candidate");
  const auto& known = spos_candidate_names();
  for (auto it = names.begin(); it != names.end(); ++it) {
    if (std::find(known.begin(), known.end(), *it) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      cfg.fail("candidates", "unknown candidate '" + *it + "' (known: " + list + ")");
    }
    if (std::find(names.begin(), it, *it) != it) cfg.fail("candidates", "'" + *it + "' is listed twice");
  }
  return names;
}

}  // namespace

// The options every zoo network shares: in_channels, num_classes, stem_channels, widths, strides.
template <class Options>
Options common_options(const razor::ConfigView& cfg, const std::vector<std::int64_t>& w) {
  Options o;
  o.in_channels(positive(cfg, "in_channels"))
      .num_classes(positive(cfg, "num_classes"))
      .stem_channels(positive(cfg, "stem_channels"))
      .widths(w)
      .strides(per_stage(cfg, "strides", w.size()));
  return o;
}

ResNetOptions resnet_options(const razor::ConfigView& cfg) {
  const auto w = widths(cfg);
  return common_options<ResNetOptions>(cfg, w).blocks(per_stage(cfg, "blocks", w.size()));
}

MobileNetV2Options mobilenet_v2_options(const razor::ConfigView& cfg) {
  const auto w = widths(cfg);
  return common_options<MobileNetV2Options>(cfg, w)
      .repeats(per_stage(cfg, "repeats", w.size()))
      .expand_ratio(positive(cfg, "expand_ratio"))
      .last_channels(positive(cfg, "last_channels"));
}

ShuffleNetV2Options shufflenet_v2_options(const razor::ConfigView& cfg) {
  const auto w = even_widths(cfg);
  return common_options<ShuffleNetV2Options>(cfg, w)
      .repeats(per_stage(cfg, "repeats", w.size()))
      .last_channels(positive(cfg, "last_channels"));
}

// One probability per candidate, non-negative, summing to 1 (empty: uniform sampling).
std::vector<double> spos_candidate_probs(const razor::ConfigView& cfg) {
  const auto probs = cfg.get<std::vector<double>>("candidate_probs");
  if (probs.empty()) return probs;
  if (probs.size() != cfg.get<std::vector<std::string>>("candidates").size())
    cfg.fail("candidate_probs", "needs one probability per candidate");
  double sum = 0;
  for (double p : probs) {
    if (!(p >= 0)) cfg.fail("candidate_probs", "probabilities must not be negative");
    sum += p;
  }
  if (std::abs(sum - 1.0) > 1e-6) cfg.fail("candidate_probs", "probabilities must sum to 1");
  return probs;
}

SposShuffleNetOptions spos_shufflenet_options(const razor::ConfigView& cfg) {
  const auto w = even_widths(cfg);
  const auto last = cfg.get<std::int64_t>("last_channels");
  if (last < 0) cfg.fail("last_channels", "must not be negative (0 = no final 1x1 convolution)");
  return common_options<SposShuffleNetOptions>(cfg, w)
      .stem_stride(positive(cfg, "stem_stride"))
      .stem_pool(cfg.get<bool>("stem_pool"))
      .repeats(per_stage(cfg, "repeats", w.size()))
      .last_channels(last)
      .candidates(spos_candidates(cfg))
      .candidate_probs(spos_candidate_probs(cfg));
}

MlpOptions mlp_options(const razor::ConfigView& cfg) {
  auto hidden = cfg.get<std::vector<std::int64_t>>("hidden");
  for (auto x : hidden)
    if (x <= 0) cfg.fail("hidden", "values must be positive");
  return MlpOptions().in_features(positive(cfg, "in_features")).num_classes(positive(cfg, "num_classes")).hidden(hidden);
}

}  // namespace razor::models
