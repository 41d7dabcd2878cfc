// razor_fuzz: libFuzzer entry points, dispatching to the target named by RAZOR_FUZZ_TARGET.
// RAZOR_FUZZ_WRITE_SEEDS=DIR writes the target's generated seeds into DIR and exits.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "fuzz_target.h"
#include "razor/errors.h"

namespace razor::fuzz {
namespace {

const FuzzTarget* g_target = nullptr;

const FuzzTarget* const kTargets[] = {&config_target(), &subnet_target(), &idx_target(),
                                      &cifar_target(),  &checkpoint_target(), &archive_target(),
                                      &plugin_target(),  &picture_target(), &state_dict_target(), &zip_target()};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "razor_fuzz: %s; set RAZOR_FUZZ_TARGET to one of:\n", why);
  for (const auto* t : kTargets) std::fprintf(stderr, "  %-11s %s\n", t->name, t->what);
  std::exit(2);
}

}  // namespace

const std::string& scratch_dir() {
  struct Scratch {
    std::string dir = (std::filesystem::temp_directory_path() / "razor-fuzz-XXXXXX").string();
    Scratch() {
      if (!::mkdtemp(dir.data())) std::abort();
    }
    ~Scratch() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  };
  static const Scratch scratch;
  return scratch.dir;
}

std::string write_scratch(const std::string& name, const std::string& bytes) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

void require_names(const std::string& message, const std::string& file) {
  if (message.find(file) == std::string::npos) {
    std::fprintf(stderr, "razor_fuzz: the error does not name %s: %s\n", file.c_str(), message.c_str());
    std::abort();
  }
}

std::vector<std::string> split_parts(const std::string& bytes) {
  static const std::string sep = "\n%%\n";
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at; (at = bytes.find(sep, start)) != std::string::npos; start = at + sep.size())
    parts.push_back(bytes.substr(start, at - start));
  parts.push_back(bytes.substr(start));
  return parts;
}

std::string join_parts(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "\n%%\n" : "") + parts[i];
  return out;
}

}  // namespace razor::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace razor::fuzz;
  const char* name = std::getenv("RAZOR_FUZZ_TARGET");
  if (!name) usage("no target");
  for (const auto* t : kTargets)
    if (std::string(t->name) == name) g_target = t;
  if (!g_target) usage((std::string("unknown target '") + name + "'").c_str());
  if (const char* dir = std::getenv("RAZOR_FUZZ_WRITE_SEEDS")) {
    std::filesystem::create_directories(dir);
    for (const auto& seed : g_target->seeds())
      std::ofstream(std::string(dir) + "/" + seed.name, std::ios::binary)
          .write(seed.bytes.data(), static_cast<std::streamsize>(seed.bytes.size()));
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace razor::fuzz;
  try {
    g_target->run(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const razor::Error& e) {
    const std::string what = e.what();
    if (what.empty() || what.find('\n') != std::string::npos) {
      std::fprintf(stderr, "razor_fuzz: the error is not one line: [%s]\n", what.c_str());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "razor_fuzz: escaped as a non-razor exception: %s\n", e.what());
    std::abort();
  }
  return 0;
}
