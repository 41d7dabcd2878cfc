#include "stages/search/latency_table.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "razor/errors.h"
#include "base/atomic_file.h"

namespace razor::host {
namespace {

std::string at(const std::string& path, const toml::node& node) {
  return fmt::format("{}:{}:{}", path, node.source().begin.line, node.source().begin.column);
}

// A TOML key, quoted unless bare ("blocks.0" has a dot, so it is quoted).
std::string key_text(const std::string& key) {
  const bool bare = !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                                        std::string::npos;
  return bare ? key : fmt::format("\"{}\"", key);
}

class Reader {
 public:
  Reader(std::string path, const toml::table& doc) : path_(std::move(path)), doc_(doc) {}

  const toml::node& node(const char* key) const {
    const toml::node* n = doc_.get(key);
    if (!n) throw ConfigError(fmt::format("{}: missing key '{}' (is it a file written by razor-host latency-table?)", path_, key));
    return *n;
  }
  std::string text(const char* key) const {
    const auto& n = node(key);
    if (auto v = n.value<std::string>()) return *v;
    throw ConfigError(fmt::format("{}: '{}': expected a string", at(path_, n), key));
  }
  std::int64_t positive(const char* key) const {
    const auto& n = node(key);
    const auto v = n.value<std::int64_t>();
    if (!v || *v < 1 || !n.is_integer()) throw ConfigError(fmt::format("{}: '{}': expected a positive integer", at(path_, n), key));
    return *v;
  }
  double number(const toml::node& n, const std::string& what) const {
    const auto v = n.value<double>();
    if (!v || !std::isfinite(*v)) throw ConfigError(fmt::format("{}: '{}': expected a finite number of milliseconds", at(path_, n), what));
    return *v;
  }

 private:
  std::string path_;
  const toml::table& doc_;
};

}  // namespace

double LatencyTable::predict(const Subnet& subnet) const {
  double ms = base_ms;
  for (const auto& [group, choice] : subnet) {
    const auto g = delta_ms.find(group);
    if (g == delta_ms.end()) throw Error(fmt::format("latency table of {}: no group '{}'", config, group));
    const auto c = g->second.find(choice);
    if (c == g->second.end()) throw Error(fmt::format("latency table of {}: group '{}' has no choice '{}'", config, group, choice));
    ms += c->second;
  }
  return ms;
}

double LatencyTable::fastest_prediction() const {
  double ms = base_ms;
  for (const auto& [group, choices] : delta_ms) {
    double fastest = 0;  // the reference choice itself
    for (const auto& [choice, delta] : choices) fastest = std::min(fastest, delta);
    ms += fastest;
  }
  return ms;
}

Subnet reference_subnet(const std::vector<SearchGroup>& groups) {
  Subnet s;
  for (const auto& g : groups) s[g.key] = g.choices.at(g.choices.size() / 2);
  return s;
}

LatencyTable load_latency_table(const std::string& path, const std::vector<SearchGroup>& groups) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!e.source().begin) throw ConfigError(fmt::format("{}: cannot read the latency table: {}", path, e.description()));
    throw ConfigError(fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column, e.description()));
  }
  const Reader r(path, doc);
  LatencyTable t;
  if (r.text("units") != "ms") throw ConfigError(fmt::format("{}: 'units': expected \"ms\"", at(path, r.node("units"))));
  t.config = r.text("config");
  t.machine = r.text("machine");
  t.form = r.text("form");
  if (t.form != "inference" && t.form != "eager")
    throw ConfigError(fmt::format("{}: 'form': expected \"inference\" or \"eager\", got \"{}\"", at(path, r.node("form")), t.form));
  t.threads = r.positive("threads");
  t.batch = r.positive("batch");
  t.base_ms = r.number(r.node("base_ms"), "base_ms");
  if (const auto* input = r.node("input").as_array()) {
    for (const auto& v : *input)
      if (auto i = v.value<std::int64_t>(); i && *i > 0) t.input.push_back(*i);
  }
  if (t.input.size() != 3) throw ConfigError(fmt::format("{}: 'input': expected [C, H, W]", at(path, r.node("input"))));

  const auto* deltas = r.node("delta_ms").as_table();
  if (!deltas) throw ConfigError(fmt::format("{}: 'delta_ms': expected a table of groups", at(path, r.node("delta_ms"))));
  for (auto&& [key, node] : *deltas) {
    const std::string name(key.str());
    const auto group = std::find_if(groups.begin(), groups.end(), [&](const SearchGroup& g) { return g.key == name; });
    if (group == groups.end())
      throw ConfigError(fmt::format("{}: group '{}' is not in this search space (the table was measured for another; "
                                    "rebuild it with razor-host latency-table)", at(path, node), name));
    const auto* choices = node.as_table();
    if (!choices) throw ConfigError(fmt::format("{}: '{}': expected a table of choice = milliseconds", at(path, node), name));
    auto& row = t.delta_ms[name];
    for (auto&& [choice, ms] : *choices) {
      const std::string c(choice.str());
      if (std::find(group->choices.begin(), group->choices.end(), c) == group->choices.end())
        throw ConfigError(fmt::format("{}: '{}': '{}' is not a choice of this group (choices: {})", at(path, ms), name, c,
                                      fmt::join(group->choices, ", ")));
      row[c] = r.number(ms, name + "." + c);
    }
  }
  for (const auto& g : groups) {
    const auto row = t.delta_ms.find(g.key);
    for (const auto& c : g.choices) {
      if (row == t.delta_ms.end() || !row->second.count(c))
        throw ConfigError(fmt::format("{}: no entry for group '{}' choice '{}' (the table was measured for another search "
                                      "space; rebuild it with razor-host latency-table)", path, g.key, c));
    }
  }
  if (const auto* v = doc.get_as<toml::table>("validation")) {
    t.samples = v->get("samples") ? v->get("samples")->value_or<std::int64_t>(0) : 0;
    t.median_error = v->get("median_error") ? v->get("median_error")->value_or(0.0) : 0.0;
    t.worst_error = v->get("worst_error") ? v->get("worst_error")->value_or(0.0) : 0.0;
  }
  return t;
}

void save_latency_table(const LatencyTable& t, const std::string& path) {
  std::string s =
      "# razor latency table, written by razor-host latency-table. The predicted latency of a subnet is\n"
      "# base_ms (the reference subnet: each group's middle choice) plus the delta_ms of each group's choice.\n";
  s += fmt::format("config = \"{}\"\nunits = \"ms\"\nmachine = \"{}\"\nform = \"{}\"\nthreads = {}\nbatch = {}\n", t.config,
                   t.machine, t.form, t.threads, t.batch);
  s += fmt::format("input = [{}]\nbase_ms = {:.6g}\n", fmt::join(t.input, ", "), t.base_ms);
  if (t.samples > 0) {
    s += fmt::format("\n[validation]  # predicted against measured on random subnets: |error| / measured\n"
                     "samples = {}\nmedian_error = {:.4f}\nworst_error = {:.4f}\n",
                     t.samples, t.median_error, t.worst_error);
  }
  for (const auto& [group, row] : t.delta_ms) {
    s += fmt::format("\n[delta_ms.{}]\n", key_text(group));
    for (const auto& [choice, ms] : row) s += fmt::format("{} = {:.6g}\n", key_text(choice), ms);
  }
  write_file_atomically(path, s);
}

}  // namespace razor::host
