// plugin: the checks a plugin passes before razor-host trusts it, without running its code.
// Input: one mode byte. Even: the rest is a plugin file for the ELF completeness check. Odd: the rest
// describes a PluginDescriptor (versions, tag, names, components, options, each possibly missing) for
// the descriptor checks and registration; a registered plugin registered again must be refused.
#include <cstring>
#include <deque>
#include <elf.h>

#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_target.h"
#include "loader/loaded_plugin.h"
#include "loader/registry.h"
#include "razor/errors.h"

namespace razor::fuzz {
namespace {

std::shared_ptr<Component> no_component(const BuildContext&) { return nullptr; }

// Strings that live as long as the descriptor pointing at them; sometimes none at all.
struct Strings {
  std::deque<std::string> kept;
  const char* take(FuzzedDataProvider& in, const char* usual) {
    switch (in.ConsumeIntegralInRange(0, 3)) {
      case 0: return nullptr;
      case 1: return kept.emplace_back(in.ConsumeRandomLengthString(32)).c_str();
      default: return usual;
    }
  }
};

void run_descriptor(FuzzedDataProvider& in) {
  Strings s;
  const std::string tag = sdk_build_tag();
  PluginDescriptor d{};
  d.abi_version = in.ConsumeBool() ? kSdkAbiVersion : in.ConsumeIntegral<std::uint32_t>();
  d.descriptor_size = in.ConsumeBool() ? sizeof(PluginDescriptor) : in.ConsumeIntegral<std::uint32_t>();
  d.build_tag = s.take(in, tag.c_str());
  d.name = s.take(in, "fuzzed");
  d.version = s.take(in, "1.0");
  d.description = s.take(in, "a fuzzed plugin");
  std::vector<ComponentInfo> components(in.ConsumeIntegralInRange<std::size_t>(0, 4));
  for (auto& c : components) {
    c.kind = s.take(in, in.ConsumeBool() ? "model" : "loss");
    c.name = s.take(in, in.ConsumeBool() ? "a" : "b");
    c.doc = s.take(in, "doc");
    c.create = in.ConsumeIntegralInRange(0, 3) ? &no_component : nullptr;
    for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i)
      c.options.push_back({s.take(in, "width"), s.take(in, "int"), s.take(in, "1"), s.take(in, "doc")});
  }
  d.num_components = components.size();
  d.components = components.empty() && in.ConsumeBool() ? nullptr : components.data();

  auto plugin = std::make_shared<host::LoadedPlugin>();
  plugin->file = "fuzzed.so";
  host::check_descriptor(plugin->file, &d);
  plugin->descriptor = &d;
  host::Registry registry;
  registry.add(plugin);
  if (d.num_components == 0) return;
  try {
    registry.add(plugin);
  } catch (const PluginError& e) {
    require_names(e.what(), "duplicate component key");
    return;
  }
  std::fprintf(stderr, "razor_fuzz: the same components registered twice\n");
  std::abort();
}

void run(const std::string& bytes) {
  if (bytes.empty()) return;
  if (bytes[0] & 1) {
    FuzzedDataProvider in(reinterpret_cast<const std::uint8_t*>(bytes.data()) + 1, bytes.size() - 1);
    try {
      run_descriptor(in);
    } catch (const PluginError& e) {
      require_names(e.what(), "fuzzed.so");
      throw;
    }
    return;
  }
  const std::string path = write_scratch("plugin.so", bytes.substr(1));
  try {
    host::check_elf_complete(path);
  } catch (const PluginError& e) {
    require_names(e.what(), path);
    throw;
  }
}

// A minimal 64-bit ELF file: header, one program header loading the whole file, and some padding.
std::string small_elf(std::uint64_t loaded_bytes) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_DYN;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  eh.e_ehsize = sizeof eh;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_filesz = loaded_bytes;
  std::string out(reinterpret_cast<const char*>(&eh), sizeof eh);
  out.append(reinterpret_cast<const char*>(&ph), sizeof ph);
  out.resize(256, '\0');
  return out;
}

std::vector<Seed> seeds() {
  return {{"elf_complete", '\0' + small_elf(256)},
          {"elf_truncated", '\0' + small_elf(1 << 20)},
          {"not_elf", std::string("\0#!/bin/sh\n", 11)},
          {"descriptor_good", "\1" + std::string(64, '\2')},
          {"descriptor_mixed", "\1" + std::string("\1\0\3\1\2\0\3\3\1\2\1\0\2\2\1\3\0\1\2\3", 20)}};
}

}  // namespace

const FuzzTarget& plugin_target() {
  static const FuzzTarget t{"plugin", "plugin files' ELF headers and plugin descriptors", &run, &seeds};
  return t;
}

}  // namespace razor::fuzz
