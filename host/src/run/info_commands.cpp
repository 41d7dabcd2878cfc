#include "run/info_commands.h"

#include <torch/version.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "config/config_loader.h"
#include "plugins/load_registry.h"
#include "razor/abi.h"
#include "razor/errors.h"

namespace razor::host {
namespace {

void print_component(const RegisteredComponent& rc, std::ostream& out) {
  fmt::print(out, "{}  (plugin {})\n  {}\n", rc.key(), rc.plugin->descriptor->name, rc.info->doc);
  for (const auto& o : rc.info->options) {
    fmt::print(out, "    {:<20} {:<10} {:<24} {}\n", o.name, o.type,
               o.default_toml ? fmt::format("= {}", o.default_toml) : "(required)", o.doc);
  }
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
  if (!found) throw Error(fmt::format("plugins info: no plugin or component named '{}' (see razor-host plugins list)", name));
}

void config_show(const std::string& file, const std::vector<std::string>& overrides, std::ostream& out) {
  out << load_config(file, overrides)->root << '\n';
}

void version(std::ostream& out) {
  fmt::print(out, "razor-host {}\nSDK ABI version {}\nbuild tag {}\nLibTorch {}\n", RAZOR_VERSION, kSdkAbiVersion,
             sdk_build_tag(), TORCH_VERSION);
}

}  // namespace razor::host
