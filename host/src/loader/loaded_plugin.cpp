#include "loader/loaded_plugin.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/dll/runtime_symbol_info.hpp>
#include <dlfcn.h>
#include <elf.h>
#include <sys/stat.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace fs = std::filesystem;

namespace razor::host {

namespace {

// Code anyone could replace is not loaded: a world-writable file, or one in a world-writable folder
// without the sticky bit (where anyone could rename another file over it).
void check_not_world_writable(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) throw PluginError(fmt::format("{}: cannot load: no such file", file));
  if (st.st_mode & S_IWOTH) {
    throw PluginError(fmt::format("{}: refused: the file is world-writable, so anyone could replace it "
                                  "(chmod o-w it)",
                                  file));
  }
  const std::string folder = fs::absolute(file).parent_path().string();
  if (::stat(folder.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
    throw PluginError(fmt::format("{}: refused: its folder {} is world-writable, so anyone could replace "
                                  "the file (chmod o-w the folder)",
                                  file, folder));
  }
}

// Names end up in config keys ("kind/name") and in one-line messages: letters, digits, '_', '-', '.'.
bool is_name(const char* s) {
  if (!s || !*s) return false;
  for (; *s; ++s)
    if (!std::isalnum(static_cast<unsigned char>(*s)) && !std::strchr("_-.", *s)) return false;
  return true;
}

std::string or_none(const char* s) { return s ? s : "(none)"; }

}  // namespace

// The loader maps segments beyond the end of a truncated file and the process dies of SIGBUS when they
// are touched, so a short file is refused before dlopen.
void check_elf_complete(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64) {
    return;
  }
  // In 128 bits: offsets in a hostile header may be near 2^64, and a sum that wraps would pass.
  using u128 = unsigned __int128;
  const auto size = static_cast<std::uint64_t>(fs::file_size(file));
  u128 needed = std::max(u128{eh.e_shoff} + u128{eh.e_shnum} * eh.e_shentsize,
                         u128{eh.e_phoff} + u128{eh.e_phnum} * eh.e_phentsize);
  if (u128{eh.e_phoff} + u128{eh.e_phnum} * sizeof(Elf64_Phdr) <= size) {
    in.seekg(static_cast<std::streamoff>(eh.e_phoff));
    for (int i = 0; i < eh.e_phnum; ++i) {
      Elf64_Phdr ph{};
      if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph)) break;
      if (ph.p_type == PT_LOAD) needed = std::max(needed, u128{ph.p_offset} + ph.p_filesz);
    }
  }
  if (needed > size) {
    const std::string need = needed >> 64 ? std::string("more than 2^64")
                                          : std::to_string(static_cast<std::uint64_t>(needed));
    throw PluginError(fmt::format("{}: cannot load: truncated ELF file: its headers need {} bytes, it has {}", file,
                                  need, size));
  }
}

void check_descriptor(const std::string& file, const PluginDescriptor* d) {
  if (!d) throw PluginError(fmt::format("{}: entry point returned no descriptor", file));
  if (d->abi_version != kSdkAbiVersion) {
    throw PluginError(fmt::format("{}: wrong ABI version: got {}, expected {} (rebuild the plugin "
                                  "against this razor SDK)",
                                  file, d->abi_version, kSdkAbiVersion));
  }
  if (d->descriptor_size != sizeof(PluginDescriptor)) {
    throw PluginError(fmt::format("{}: wrong descriptor size: got {}, expected {}", file,
                                  d->descriptor_size, sizeof(PluginDescriptor)));
  }
  const std::string tag = or_none(d->build_tag);
  if (!d->build_tag || tag != sdk_build_tag()) {
    throw PluginError(fmt::format("{}: wrong build tag: got '{}', expected '{}' (rebuild the plugin "
                                  "with the same LibTorch, C++ ABI and compiler)",
                                  file, tag, sdk_build_tag()));
  }
  if (!d->name || !*d->name) throw PluginError(fmt::format("{}: descriptor has no plugin name", file));
  if (!is_name(d->name)) {
    throw PluginError(fmt::format("{}: bad plugin name: got '{}', expected letters, digits, '_', '-' or '.'", file,
                                  or_none(d->name)));
  }
  if (d->num_components > 0 && !d->components) {
    throw PluginError(fmt::format("{}: descriptor lists {} components but gives no table of them", file,
                                  d->num_components));
  }
  for (std::size_t i = 0; i < d->num_components; ++i) {
    const ComponentInfo& c = d->components[i];
    if (!is_name(c.kind) || !is_name(c.name)) {
      throw PluginError(fmt::format("{}: component {} of plugin '{}': bad kind or name: got '{}/{}', expected "
                                    "letters, digits, '_', '-' or '.'",
                                    file, i, d->name, or_none(c.kind), or_none(c.name)));
    }
    if (!c.create) throw PluginError(fmt::format("{}: component '{}/{}' has no factory", file, c.kind, c.name));
    if (!c.doc) throw PluginError(fmt::format("{}: component '{}/{}' has no doc line", file, c.kind, c.name));
    for (const OptionInfo& o : c.options) {
      if (!o.name || !o.type || !o.doc) {  // a missing default is allowed: the option is required
        throw PluginError(fmt::format("{}: component '{}/{}' declares an option without a name, type or doc", file,
                                      c.kind, c.name));
      }
    }
  }
}

std::shared_ptr<LoadedPlugin> load_plugin(const std::string& file) {
  check_not_world_writable(file);
  check_elf_complete(file);
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->file = file;
  // dlopen directly first: Boost.DLL clears dlerror(), and the loader's own message (missing
  // symbol, wrong ELF class) is what the user needs. The probe handle stays open until Boost.DLL has
  // its own, so the library is loaded (and initialised) once.
  void* probe = ::dlopen(file.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (!probe) {
    const char* why = ::dlerror();
    throw PluginError(fmt::format("{}: cannot load: {}", file, why ? why : "unknown dlopen error"));
  }
  plugin->library = std::make_shared<boost::dll::shared_library>(
      boost::dll::fs::path(file), boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  ::dlclose(probe);

  const char* entry = RAZOR_STR(RAZOR_PLUGIN_ENTRY);
  if (!plugin->library->has(entry)) {
    throw PluginError(fmt::format("{}: no entry point: got no symbol '{}', expected a razor plugin "
                                  "declared with RAZOR_PLUGIN",
                                  file, entry));
  }
  using Entry = const PluginDescriptor*();
  const PluginDescriptor* d = nullptr;
  try {
    d = plugin->library->get<Entry>(entry)();
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("{}: entry point threw: {}", file, e.what()));
  }
  check_descriptor(file, d);
  plugin->descriptor = d;
  return plugin;
}

namespace {

// A folder the user named must be one: a misspelt path would otherwise load nothing, without a word.
void check_plugin_folder(const std::string& folder, const std::string& named_by) {
  std::error_code ec;
  if (fs::is_directory(folder, ec)) return;
  throw ConfigError(fmt::format("{} {}: {}", named_by, folder, fs::exists(folder, ec) ? "not a folder" : "no such folder"));
}

}  // namespace

std::vector<std::string> plugin_search_path(const std::vector<std::string>& cli_paths) {
  std::vector<std::string> folders;
  for (const auto& folder : cli_paths) {
    check_plugin_folder(folder, "--plugin-path");
    folders.push_back(folder);
  }
  if (const char* env = std::getenv("RAZOR_PLUGIN_PATH")) {
    std::stringstream ss(env);
    for (std::string item; std::getline(ss, item, ':');) {
      if (item.empty()) continue;
      check_plugin_folder(item, "RAZOR_PLUGIN_PATH:");
      folders.push_back(item);
    }
  }
  const fs::path exe_dir = boost::dll::program_location().parent_path().string();
  folders.push_back((exe_dir / ".." / RAZOR_PLUGIN_INSTALL_DIR).lexically_normal().string());
  return folders;
}

std::vector<std::string> find_plugin_files(const std::vector<std::string>& folders) {
  std::vector<std::string> files;
  std::set<fs::path> seen;
  for (const auto& folder : folders) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) continue;
    std::vector<fs::path> here;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".so") here.push_back(entry.path());
    }
    std::sort(here.begin(), here.end());
    for (const auto& p : here) {
      if (seen.insert(fs::weakly_canonical(p)).second) files.push_back(p.string());
    }
  }
  return files;
}

}  // namespace razor::host
