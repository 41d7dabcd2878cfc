#include "cli/plugins.h"
#include <cctype>
#include <algorithm>
#include <CLI/CLI.hpp>
#include "cli/verbs.h"
#include <iostream>

#include <torch/version.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fmt/ostream.h>

#include <filesystem>
#include <set>

#include <toml++/toml.h>

#include "config/config_loader.h"
#include "loader/loaded_plugin.h"
#include "loader/load_registry.h"
#include "razor/abi.h"
#include "razor/closest_match.h"
#include "razor/errors.h"
#include "session/sections.h"
#include "stages/export/export_options.h"
#include "stages/search/search_options.h"
#include "stages/train/train_options.h"

namespace razor::host {
namespace {

void print_component(const RegisteredComponent& rc, std::ostream& out) {
  fmt::print(out, "{}  (plugin {})\n  {}\n", rc.key(), rc.plugin->descriptor->name, rc.info->doc);
  for (const auto& o : rc.info->options) {
    fmt::print(out, "    {:<20} {:<10} {:<24} {}\n", o.name, o.type,
               o.default_toml ? fmt::format("= {}", o.default_toml) : "(required)", o.doc);
  }
}

std::string cell(const char* text) {
  std::string out = text ? text : "";
  for (std::size_t at = out.find('|'); at != std::string::npos; at = out.find('|', at + 2)) out.replace(at, 1, "\\|");
  return out;
}

void options_table(const std::vector<OptionInfo>& options, std::ostream& out) {
  if (options.empty()) {
    out << "(no options)\n\n";
    return;
  }
  out << "| option | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& o : options) {
    // No default means required, except for components the host builds only when present.
    const bool optional = o.doc && std::string(o.doc).rfind("(optional)", 0) == 0;
    fmt::print(out, "| `{}` | {} | {} | {} |\n", o.name, cell(o.type),
               o.default_toml ? fmt::format("`{}`", cell(o.default_toml)) : optional ? "none" : "required",
               cell(o.doc));
  }
  out << "\n";
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

}  // namespace

int plugins_list(const std::vector<std::string>& plugin_paths, std::ostream& out) {
  std::vector<std::string> refused;
  auto registry = load_registry(plugin_paths, &refused);
  for (const auto& plugin : registry->plugins()) {
    const auto& d = *plugin->descriptor;
    fmt::print(out, "plugin {} {} — {}\n  from {}\n", d.name, d.version, d.description, plugin->file);
    for (std::size_t i = 0; i < d.num_components; ++i) {
      fmt::print(out, "  {:<28} {}\n", fmt::format("{}/{}", d.components[i].kind, d.components[i].name),
                 d.components[i].doc);
    }
  }
  for (const auto& line : refused) fmt::print(out, "refused: {}\n", line);
  return refused.empty() ? 0 : 1;
}

namespace {

// Whether `text` holds `word` (any case) between characters that cannot be part of a name.
bool has_word(const std::string& text, const std::string& word) {
  const auto lower = [](std::string t) {
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t;
  };
  const std::string haystack = lower(text), needle = lower(word);
  const auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (auto at = haystack.find(needle); !needle.empty() && at != std::string::npos; at = haystack.find(needle, at + 1)) {
    const std::size_t end = at + needle.size();
    if ((at == 0 || !name_char(haystack[at - 1])) && (end == haystack.size() || !name_char(haystack[end]))) return true;
  }
  return false;
}

}  // namespace

void plugins_info(const std::vector<std::string>& plugin_paths, const std::string& name, std::ostream& out) {
  auto registry = load_registry(plugin_paths);
  for (const auto& plugin : registry->plugins()) {
    if (name != plugin->descriptor->name) continue;
    const auto& d = *plugin->descriptor;
    fmt::print(out, "plugin {} {} — {}\nfrom {}\nbuild tag {}\n\n", d.name, d.version, d.description,
               plugin->file, d.build_tag);
    for (std::size_t i = 0; i < d.num_components; ++i) print_component(*registry->find(d.components[i].kind, d.components[i].name), out);
    return;
  }
  bool found = false;
  for (const auto& [key, rc] : registry->components()) {
    if (key == name || name == rc.info->name) {
      print_component(rc, out);
      found = true;
    }
  }
  if (!found) {
    // Abbreviations users know ("cwd", "kd") are words of the components' descriptions; misspellings are
    // close to a name.
    std::vector<std::string> names, described;
    for (const auto& plugin : registry->plugins()) names.push_back(plugin->descriptor->name);
    for (const auto& [key, rc] : registry->components()) {
      names.insert(names.end(), {key, rc.info->name});
      if (has_word(rc.info->doc, name)) described.push_back(key);
    }
    std::string hint;
    if (!described.empty()) {
      hint = fmt::format("; described as '{}': {}", name, fmt::join(described, ", "));
    } else if (const std::string close = closest_match(name, names); !close.empty()) {
      hint = fmt::format(", did you mean '{}'?", close);
    }
    throw Error(fmt::format("plugins info: no plugin or component named '{}'{} (see razor-host plugins list)", name, hint));
  }
}

void config_show(const std::string& file, const std::vector<std::string>& overrides, std::ostream& out) {
  out << load_config(file, overrides)->root << '\n';
}

int plugins_verify(const std::vector<std::string>& plugin_paths, const std::string& file, std::ostream& out) {
  static const std::set<std::string> kinds{"algorithm", "connector", "dataset", "distill_loss", "distiller", "estimator", "loss",
                                           "model",     "mutator",   "pruner",  "recorder",  "searcher"};
  const auto plugin = load_plugin(file);  // PluginError: the one-line refusal
  const auto& d = *plugin->descriptor;
  std::vector<std::string> faults;
  std::set<std::string> keys;
  std::vector<std::string> others;
  auto registry = load_registry(plugin_paths, &others);
  for (std::size_t i = 0; i < d.num_components; ++i) {
    const auto& c = d.components[i];
    const std::string key = fmt::format("{}/{}", c.kind ? c.kind : "?", c.name ? c.name : "?");
    if (!c.kind || !kinds.count(c.kind)) faults.push_back(fmt::format("{}: unknown kind", key));
    if (!keys.insert(key).second) faults.push_back(fmt::format("{}: declared twice", key));
    if (!c.doc || !*c.doc) faults.push_back(fmt::format("{}: no doc line", key));
    if (!c.create) faults.push_back(fmt::format("{}: no factory", key));
    if (const auto* rc = registry->find(c.kind ? c.kind : "", c.name ? c.name : ""); rc && !same_file(rc->plugin->file, file))
      faults.push_back(fmt::format("{}: also provided by {} (razor-host would refuse both)", key, rc->plugin->file));
    for (const auto& o : c.options) {
      const std::string name = o.name ? o.name : "?";
      if (!o.type || !o.doc || !*o.doc) faults.push_back(fmt::format("{}: option '{}' has no type or doc", key, name));
      if (o.default_toml) {
        try {
          (void)toml::parse(fmt::format("value = {}", o.default_toml), std::string_view("default"));
        } catch (const toml::parse_error&) {
          faults.push_back(fmt::format("{}: option '{}': default '{}' is not TOML", key, name, o.default_toml));
        }
      }
    }
  }
  fmt::print(out, "{}: plugin {} {}, ABI {}, build tag {}, {} components\n", file, d.name, d.version, d.abi_version,
             d.build_tag, d.num_components);
  for (const auto& f : faults) fmt::print(out, "fault: {}\n", f);
  fmt::print(out, "{}\n", faults.empty() ? "verified" : "not verified");
  return faults.empty() ? 0 : 3;
}

void plugins_markdown(const std::vector<std::string>& plugin_paths, std::ostream& out) {
  out << "# Configuration options\n\n"
         "Generated by `razor-host plugins markdown` from the options every host section and component\n"
         "declares (the test suite checks that this file equals the command's output). How configs are\n"
         "composed and checked: [config-reference.md](config-reference.md).\n\n## Host sections\n\n";
  const std::pair<const char*, const std::vector<OptionInfo>& (*)()> host_sections[] = {
      {"top level", &RootOptions::option_infos},         {"[runtime]", &RuntimeOptions::option_infos},
      {"[data]", &DataOptions::option_infos},            {"[train]", &TrainOptions::option_infos},
      {"[search]", &SearchOptions::option_infos},        {"[export]", &ExportOptions::option_infos},
      {"[plugins]", &PluginsOptions::option_infos},      {"[distributed]", &DistributedOptions::option_infos}};
  for (const auto& [title, options] : host_sections) {
    fmt::print(out, "### {}\n\n", title);
    options_table(options(), out);
  }
  out << "## Components\n\nA component's table names it with `type`; `razor-host plugins info NAME` prints the same.\n\n";
  auto registry = load_registry(plugin_paths);
  for (const auto& [key, rc] : registry->components()) {
    fmt::print(out, "### `{}` (plugin `{}`)\n\n{}\n\n", key, rc.plugin->descriptor->name, rc.info->doc);
    options_table(rc.info->options, out);
  }
}

void version(std::ostream& out) {
  fmt::print(out, "razor-host {}\nSDK ABI version {}\nbuild tag {}\nLibTorch {}\n", RAZOR_VERSION, kSdkAbiVersion,
             sdk_build_tag(), TORCH_VERSION);
}

void cli::add_plugins(CLI::App& app, const Globals& globals, Action& action) {
  auto* plugins = app.add_subcommand("plugins", "inspect plugins and components");
  plugins->require_subcommand(1);
  const auto& paths = globals.plugin_paths;
  plugins->add_subcommand("list", "every component with its plugin")->callback([&] {
    action = [&] { return plugins_list(paths, std::cout); };
  });
  auto name = std::make_shared<std::string>();
  auto* info = plugins->add_subcommand("info", "a plugin's or a component's docs and options");
  info->add_option("name", *name, "plugin name, component key (model/resnet) or name")->required();
  info->callback([&, name] {
    action = [&, name] {
      plugins_info(paths, *name, std::cout);
      return 0;
    };
  });
  plugins->add_subcommand("markdown", "every option of every section and component, as markdown")->callback([&] {
    action = [&] {
      plugins_markdown(paths, std::cout);
      return 0;
    };
  });
  auto file = std::make_shared<std::string>();
  auto* verify = plugins->add_subcommand("verify", "check a plugin file without running its components");
  verify->add_option("file", *file, "the plugin's .so")->required();
  verify->callback([&, file] { action = [&, file] { return plugins_verify(paths, *file, std::cout); }; });
}

void cli::add_config(CLI::App& app, const Globals&, Action& action) {
  auto* config = app.add_subcommand("config", "inspect configs");
  config->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  auto* show = config->add_subcommand("show", "print the composed config");
  show->add_option("config", *file, "TOML config file")->required();
  show->add_option("--set", *sets, "override a value in TOML syntax");
  show->callback([&action, file, sets] {
    action = [file, sets] {
      config_show(*file, *sets, std::cout);
      return 0;
    };
  });
}

void cli::add_version(CLI::App& app, const Globals&, Action& action) {
  app.add_subcommand("version", "versions and the plugin build tag")->callback([&action] {
    action = [] {
      version(std::cout);
      return 0;
    };
  });
}

}  // namespace razor::host
