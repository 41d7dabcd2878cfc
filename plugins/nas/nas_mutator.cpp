#include "nas_mutator.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "razor/closest_match.h"
#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor::nas {
namespace {

constexpr const char* kNotPrepared = "mutator/nas: prepare() was not called";

}  // namespace

NasMutator::NasMutator(const BuildContext& ctx, const Options& options)
    : custom_(options.groups.view), rng_(ctx.seed() ^ 0x6e61736d75746174ULL) {}

const char* NasMutator::text(KeySource source) {
  switch (source) {
    case KeySource::custom: return "custom group";
    case KeySource::alias: return "alias";
    case KeySource::path: break;
  }
  return "module path";
}

void NasMutator::prepare(Model& supernet) {
  prepared_ = false;  // a failed prepare leaves no half-built groups usable
  fixed_ = false;
  groups_.clear();
  members_.clear();
  sources_.clear();
  // Custom groups first: path -> group name, each path in one group only.
  std::map<std::string, std::string> custom;
  for (const auto& name : custom_->keys()) {
    for (const auto& path : custom_->get_string_list(name)) {
      if (auto [it, added] = custom.emplace(path, name); !added) {
        custom_->fail(name, fmt::format("'{}' is already in group '{}'", path, it->second));
      }
    }
  }
  std::map<std::string, std::size_t> index;  // group key -> position
  std::map<std::string, bool> custom_seen;
  for (const auto& item : supernet.named_modules("", /*include_self=*/false)) {
    auto* m = dynamic_cast<Mutable*>(item.value().get());
    if (!m || m->is_fixed()) continue;
    const std::string& path = item.key();
    std::string key = path;
    KeySource source = KeySource::path;
    if (auto it = custom.find(path); it != custom.end()) {
      key = it->second;
      source = KeySource::custom;
      custom_seen[path] = true;
    } else if (!m->alias().empty()) {
      key = m->alias();
      source = KeySource::alias;
    }
    auto [at, added] = index.emplace(key, groups_.size());
    if (added) {
      groups_.push_back({key, m->choices(), m->probs()});
      members_.emplace_back();
      sources_.push_back(source);
    } else if (sources_[at->second] != source) {
      // e.g. an alias spelled like another module's path: merging them would tie unrelated choices.
      const std::string message =
          fmt::format("search group key '{}' is both the {} of '{}' and the {} of '{}'; rename one", key,
                      text(sources_[at->second]), members_[at->second].front().path, text(source), path);
      if (source == KeySource::custom) custom_->fail(key, message);
      if (sources_[at->second] == KeySource::custom) custom_->fail(key, message);
      throw ConfigError(message);
    } else if (groups_[at->second].choices != m->choices()) {
      const std::string message =
          fmt::format("search group '{}': '{}' has choices [{}] but '{}' has [{}]", key,
                      members_[at->second].front().path, fmt::join(groups_[at->second].choices, ", "), path,
                      fmt::join(m->choices(), ", "));
      if (source == KeySource::custom) custom_->fail(key, message);
      throw ConfigError(message);
    }
    members_[at->second].push_back({path, m});
  }
  for (const auto& [path, name] : custom) {
    if (!custom_seen.count(path)) {
      custom_->fail(name, fmt::format("'{}' is not a searchable (unfixed) module of the model", path));
    }
  }
  check_aliases_unsplit();
  prepared_ = true;
}

void NasMutator::check_aliases_unsplit() const {
  std::map<std::string, std::pair<std::size_t, std::string>> first;  // alias -> (group, path)
  for (std::size_t g = 0; g < members_.size(); ++g) {
    for (const auto& m : members_[g]) {
      const std::string& alias = m.mutable_->alias();
      if (alias.empty()) continue;
      auto [it, added] = first.emplace(alias, std::make_pair(g, m.path));
      if (added || it->second.first == g) continue;
      const std::string message = fmt::format(
          "'{}' and '{}' share the alias '{}' but are in different search groups ('{}' and '{}'); list every "
          "module of an alias in the same custom group",
          it->second.second, m.path, alias, groups_[it->second.first].key, groups_[g].key);
      const std::size_t custom_group = sources_[g] == KeySource::custom ? g : it->second.first;
      custom_->fail(groups_[custom_group].key, message);
    }
  }
}

void NasMutator::check_prepared() const {
  if (!prepared_) throw Error(kNotPrepared);
}

const std::vector<SearchGroup>& NasMutator::groups() const {
  check_prepared();
  return groups_;
}

void NasMutator::check(const Subnet& subnet) const {
  check_prepared();
  if (fixed_ && !subnet.empty()) throw Error("mutator/nas: the model is fixed; it has no choices left to set");
  for (const auto& [key, choice] : subnet) {
    const auto g =
        std::find_if(groups_.begin(), groups_.end(), [&key = key](const SearchGroup& x) { return x.key == key; });
    if (g == groups_.end()) {
      std::vector<std::string> keys;
      for (const auto& x : groups_) keys.push_back(x.key);
      const std::string guess = closest_match(key, keys);
      throw Error(fmt::format("subnet: unknown key '{}'{}", key,
                              guess.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", guess)));
    }
    if (std::find(g->choices.begin(), g->choices.end(), choice) == g->choices.end()) {
      throw Error(fmt::format("subnet: '{}': unknown choice '{}' (choices: {})", key, choice,
                              fmt::join(g->choices, ", ")));
    }
  }
  for (const auto& g : groups_)
    if (!subnet.count(g.key)) throw Error(fmt::format("subnet: missing key '{}'", g.key));
}

Subnet NasMutator::sample(SampleKind kind) {
  Subnet subnet = sample_subnet(groups(), kind, rng_);
  set(subnet);
  return subnet;
}

void NasMutator::set(const Subnet& subnet) {
  check(subnet);
  for (std::size_t i = 0; i < groups_.size(); ++i)
    for (auto& m : members_[i]) m.mutable_->set_choice(subnet.at(groups_[i].key));
}

Subnet NasMutator::current() const {
  check_prepared();
  Subnet subnet;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    const auto choice = members_[i].front().mutable_->current_choice();
    if (!choice) throw Error(fmt::format("search group '{}' has no choice yet", groups_[i].key));
    subnet[groups_[i].key] = *choice;
  }
  return subnet;
}

void NasMutator::fix(const Subnet& subnet) {
  check_prepared();
  if (fixed_) throw Error("mutator/nas: the model is already fixed to a subnet (fix() can run once)");
  check(subnet);  // all of it, before any mutable changes: a bad subnet leaves the supernet intact
  for (std::size_t i = 0; i < groups_.size(); ++i)
    for (auto& m : members_[i]) m.mutable_->fix(subnet.at(groups_[i].key));
  // Nothing is left to choose: the host and algorithms read empty groups() as "a static model".
  groups_.clear();
  members_.clear();
  sources_.clear();
  fixed_ = true;
}

void NasMutator::save_state(torch::serialize::OutputArchive& archive) const { write_rng(archive, "nas_rng", rng_); }
void NasMutator::load_state(torch::serialize::InputArchive& archive) { read_rng(archive, "nas_rng", rng_); }

}  // namespace razor::nas
