#pragma once
// LoadedPlugin: a plugin library kept open together with the descriptor it returned.
#include <memory>
#include <string>

#include <boost/dll/shared_library.hpp>

#include "razor/plugin.h"

namespace razor::host {

struct LoadedPlugin {
  std::string file;  // where it was loaded from; "(compiled in)" for descriptors of the embedding program
  const PluginDescriptor* descriptor = nullptr;
  std::shared_ptr<boost::dll::shared_library> library;  // null for compiled-in descriptors
};

/// Opens `file` and checks its entry point, ABI version, descriptor size and build tag.
/// Throws razor::PluginError with one line: "<file>: <fault>: got <x>, expected <y>".
std::shared_ptr<LoadedPlugin> load_plugin(const std::string& file);

/// The checks load_plugin makes, for callers that have the bytes or the descriptor in hand (tests, fuzzing).
/// A 64-bit ELF file shorter than its headers say is refused; anything else is left to dlopen.
void check_elf_complete(const std::string& file);
/// ABI version, descriptor size, build tag, plugin name, and every component's kind, name, factory and
/// option name, type and doc present (a missing default makes the option required).
void check_descriptor(const std::string& file, const PluginDescriptor* descriptor);

/// The folders searched for plugins, in order: --plugin-path entries, RAZOR_PLUGIN_PATH (colon
/// separated), then lib/razor/plugins next to the executable's bin/ — the install folder, or the
/// build tree's, which has the same layout. A folder named by the user that is not one is a ConfigError.
std::vector<std::string> plugin_search_path(const std::vector<std::string>& cli_paths);

/// Every `*.so` in the folders, in search order, each file once.
std::vector<std::string> find_plugin_files(const std::vector<std::string>& folders);

}  // namespace razor::host
