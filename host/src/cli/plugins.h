#pragma once
// The read-only commands: plugins list, plugins info, config show, version.
#include <ostream>
#include <string>
#include <vector>

namespace razor::host {

/// Lists every component with its plugin and doc line, then refused plugins. Returns the exit code
/// (1 when a plugin was refused).
int plugins_list(const std::vector<std::string>& plugin_paths, std::ostream& out);
/// One plugin (by name) or one component (by key or short name): docs and options.
void plugins_info(const std::vector<std::string>& plugin_paths, const std::string& name, std::ostream& out);
/// The composed config (extends merged, --set applied) as TOML.
void config_show(const std::string& file, const std::vector<std::string>& overrides, std::ostream& out);
void version(std::ostream& out);
/// docs/config-options.md: every host section's and component's options, from their declarations.
void plugins_markdown(const std::vector<std::string>& plugin_paths, std::ostream& out);
/// Checks a plugin file without building any component: it loads (entry point, ABI, descriptor size,
/// build tag), its keys are unique and of known kinds, every option is documented and its default
/// is valid TOML, and no key clashes with the plugins on the search path. Returns the exit code.
int plugins_verify(const std::vector<std::string>& plugin_paths, const std::string& file, std::ostream& out);

}  // namespace razor::host
