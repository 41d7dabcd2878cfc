// Plugin loading as a user meets it: listing, info, and one clear line for each refused plugin.
#include <filesystem>
#include <fstream>

#include "host_process.h"
#include "razor/abi.h"
#include "razor/plugin.h"
#include "razor_doctest.hpp"

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("plugins list shows the core family and the other plugins' components") {
  auto r = run_host("plugins list");
  CHECK(r.exit_code == 0);
  CHECK(contains(r.output, "plugin core"));
  CHECK(contains(r.output, "algorithm/classifier"));
  CHECK(contains(r.output, "loss/cross_entropy"));
  CHECK(contains(r.output, "dataset/digits"));
  CHECK(contains(r.output, "plugin models"));
  CHECK(contains(r.output, "model/resnet"));
  CHECK(contains(r.output, "plugin estimators"));
  CHECK(contains(r.output, "estimator/flops"));

  auto good = run_host("--plugin-path " + fixture_dir("good") + " plugins info fixture_good");
  CHECK(good.exit_code == 0);
  CHECK(contains(good.output, "plugin fixture_good 1.2.3"));
  CHECK(contains(good.output, "loss/fixture_l1"));
  CHECK(contains(good.output, "scale"));
  CHECK(contains(good.output, "= 1.0"));

  // RAZOR_PLUGIN_PATH is searched too.
  auto env = run_host("plugins list", "RAZOR_PLUGIN_PATH=" + fixture_dir("good"));
  CHECK(env.exit_code == 0);
  CHECK(contains(env.output, "plugin fixture_good 1.2.3"));

  // A folder the user names that is not one is refused, not skipped.
  CHECK(run_host("--plugin-path /no/such/folder plugins list").output ==
        "error: --plugin-path /no/such/folder: no such folder\n");
  const auto file = run_host("--plugin-path " + fixture_dir("good") + "/good.so run configs/core/resnet_digits.toml");
  CHECK(file.exit_code == 2);
  CHECK(file.output == "error: --plugin-path " + fixture_dir("good") + "/good.so: not a folder\n");
  CHECK(run_host("plugins list", "RAZOR_PLUGIN_PATH=" + fixture_dir("good") + ":/no/such/folder").output ==
        "error: RAZOR_PLUGIN_PATH: /no/such/folder: no such folder\n");

  // An unknown name: the components whose description uses it as a word, or the closest name.
  CHECK(run_host("plugins info cwd").output ==
        "error: plugins info: no plugin or component named 'cwd'; described as 'cwd': "
        "distill_loss/channel_wise_divergence (see razor-host plugins list)\n");
  CHECK(run_host("plugins info autoslm").output ==
        "error: plugins info: no plugin or component named 'autoslm', did you mean 'autoslim'? (see razor-host plugins list)\n");
  CHECK(run_host("plugins info zzzz").output ==
        "error: plugins info: no plugin or component named 'zzzz' (see razor-host plugins list)\n");

  auto version = run_host("version");
  CHECK(version.exit_code == 0);
  CHECK(contains(version.output, std::string("build tag ") + RAZOR_BUILD_TAG));
}

TEST_CASE("refused plugins: one line with the file, what it got and what was expected") {
  const std::string abi = fixture_dir("wrong_abi") + "/wrong_abi.so";
  auto r = run_host("--plugin-path " + fixture_dir("wrong_abi") + " plugins list");
  CHECK(r.exit_code == 1);
  CHECK(contains(r.output, "refused: " + abi + ": wrong ABI version: got " + std::to_string(razor::kSdkAbiVersion + 98) +
                               ", expected " + std::to_string(razor::kSdkAbiVersion) +
                               " (rebuild the plugin against this razor SDK)\n"));

  // Any other command refuses to go on: one line, exit code 3.
  auto run = run_host("--plugin-path " + fixture_dir("wrong_abi") + " plugins info core");
  CHECK(run.exit_code == 3);
  CHECK(run.output == "error: " + abi + ": wrong ABI version: got " + std::to_string(razor::kSdkAbiVersion + 98) +
                          ", expected " + std::to_string(razor::kSdkAbiVersion) +
                          " (rebuild the plugin against this razor SDK)\n");

  const std::string tag = fixture_dir("wrong_build_tag") + "/wrong_build_tag.so";
  auto t = run_host("--plugin-path " + fixture_dir("wrong_build_tag") + " plugins info core");
  CHECK(t.exit_code == 3);
  CHECK(t.output == "error: " + tag + ": wrong build tag: got 'torch-1.12 cxx11abi-0 gcc-9', expected '" +
                        RAZOR_BUILD_TAG + "' (rebuild the plugin with the same LibTorch, C++ ABI and compiler)\n");

  const std::string none = fixture_dir("no_entry") + "/no_entry.so";
  auto n = run_host("--plugin-path " + fixture_dir("no_entry") + " plugins info core");
  CHECK(n.exit_code == 3);
  CHECK(n.output == "error: " + none +
                        ": no entry point: got no symbol 'razor_plugin_descriptor', expected a razor plugin declared "
                        "with RAZOR_PLUGIN\n");

  const std::string good = fixture_dir("good") + "/good.so";
  const std::string dup = fixture_dir("duplicate_key") + "/duplicate_key.so";
  auto d = run_host("--plugin-path " + fixture_dir("good") + " --plugin-path " + fixture_dir("duplicate_key") +
                    " plugins info core");
  CHECK(d.exit_code == 3);
  CHECK(d.output == "error: " + dup +
                        ": duplicate component key 'loss/fixture_l1': got it from plugin 'fixture_duplicate', expected "
                        "it only once (already registered by plugin 'fixture_good' from " +
                        good + ")\n");
}

TEST_CASE("a file that is not a shared library is refused with the loader's reason") {
  const std::string dir = temp_dir("notelf");
  std::ofstream(dir + "/broken.so") << std::string(200, '#');  // long enough to have a header
  auto r = run_host("--plugin-path " + dir + " plugins info core");
  CHECK(r.exit_code == 3);
  CHECK(r.output == "error: " + dir + "/broken.so: cannot load: " + dir +
                        "/broken.so: invalid ELF header\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a factory that throws is reported with its plugin and component") {
  const std::string dir = temp_dir("throwing");
  const std::string so = fixture_dir("throwing_factory") + "/throwing_factory.so";
  auto r = run_host("--plugin-path " + fixture_dir("throwing_factory") +
                    " run configs/core/resnet_digits.toml --work-dir " + dir + "/w" +
                    " --set \"algorithm.architecture={type='fixture_throws'}\"");
  CHECK(r.exit_code == 3);
  CHECK(r.output == "error: plugin 'fixture_throwing' (" + so +
                        "), component model/fixture_throws: deliberate failure in the fixture factory\n");
  CHECK_FALSE(std::filesystem::exists(dir + "/w"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a factory that returns nothing and a truncated plugin are refused with one line, not a crash") {
  const std::string dir = temp_dir("hostile_plugins");
  const std::string null_so = fixture_dir("null_factory") + "/null_factory.so";
  auto null_factory = run_host("--plugin-path " + fixture_dir("null_factory") +
                               " run configs/core/resnet_digits.toml --work-dir " + dir + "/w" +
                               " --set \"algorithm.architecture={type='fixture_null'}\"");
  CHECK(null_factory.exit_code == 3);
  CHECK(null_factory.output == "error: plugin 'fixture_null' (" + null_so + "), component model/fixture_null: factory returned nothing\n");
  CHECK_FALSE(std::filesystem::exists(dir + "/w"));

  // The good fixture cut to its first 4 KiB: a real ELF header, the rest missing.
  const std::string cut = dir + "/cut";
  std::filesystem::create_directories(cut);
  const std::string good = read_file(fixture_dir("good") + "/good.so");
  REQUIRE(good.size() > 8192);
  std::ofstream(cut + "/good.so", std::ios::binary) << good.substr(0, 4096);
  auto truncated = run_host("--plugin-path " + cut + " plugins info core");
  CHECK(truncated.exit_code == 3);
  CHECK(truncated.output == "error: " + cut + "/good.so: cannot load: truncated ELF file: its headers need " +
                                std::to_string(good.size()) + " bytes, it has 4096\n");

  std::filesystem::remove_all(dir);
}

TEST_CASE("an installed razor-host finds its plugins in the install folder") {
  const std::string prefix = temp_dir("install");
  auto install = run_in_source_dir(std::string(RAZOR_CMAKE) + " --install " + RAZOR_BINARY_DIR + " --prefix " + prefix);
  INFO(install.output);
  REQUIRE(install.exit_code == 0);
  auto r = run_in_source_dir(prefix + "/bin/razor-host plugins list");
  CHECK(r.exit_code == 0);
  CHECK(contains(r.output, "from " + prefix + "/" + RAZOR_PLUGIN_INSTALL_DIR + "/razor_models.so"));
  CHECK_FALSE(contains(r.output, RAZOR_BINARY_DIR));  // nothing from the build tree
  std::filesystem::remove_all(prefix);
}

TEST_CASE("plugins verify: checks a file without building its components") {
  const std::string good = fixture_dir("good") + "/good.so";
  auto ok = run_host("plugins verify " + good);
  CHECK(ok.exit_code == 0);
  CHECK(ok.output == good + ": plugin fixture_good 1.2.3, ABI " + std::to_string(razor::kSdkAbiVersion) +
                         ", build tag " + razor::sdk_build_tag() + ", 1 components\nverified\n");
  // A key that a plugin on the search path provides too.
  const std::string duplicate = fixture_dir("duplicate_key") + "/duplicate_key.so";
  auto clash = run_host("--plugin-path " + fixture_dir("good") + " plugins verify " + duplicate);
  CHECK(clash.exit_code == 3);
  CHECK(contains(clash.output, "fault: loss/fixture_l1: also provided by " + good));
  CHECK(contains(clash.output, "not verified\n"));
  // Refused plugins: the loader's one line.
  const std::string abi = fixture_dir("wrong_abi") + "/wrong_abi.so";
  auto refused = run_host("plugins verify " + abi);
  CHECK(refused.exit_code == 3);
  CHECK(contains(refused.output, "error: " + abi + ": wrong ABI version: got "));
}

TEST_CASE("plugins in world-writable files or folders are refused") {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir("world_writable");
  fs::copy_file(fixture_dir("good") + "/good.so", dir + "/good.so");
  fs::permissions(dir + "/good.so", fs::perms::others_write, fs::perm_options::add);
  auto file = run_host("plugins verify " + dir + "/good.so");
  CHECK(file.exit_code == 3);
  CHECK(file.output == "error: " + dir + "/good.so: refused: the file is world-writable, so anyone could replace it "
                                         "(chmod o-w it)\n");
  auto listed = run_host("--plugin-path " + dir + " plugins list");
  CHECK(listed.exit_code == 1);
  CHECK(contains(listed.output, "refused: " + dir + "/good.so: refused: the file is world-writable"));

  fs::permissions(dir + "/good.so", fs::perms::others_write, fs::perm_options::remove);
  fs::permissions(dir, fs::perms::others_all, fs::perm_options::add);  // no sticky bit
  auto folder = run_host("plugins verify " + dir + "/good.so");
  CHECK(folder.exit_code == 3);
  CHECK(folder.output == "error: " + dir + "/good.so: refused: its folder " + dir +
                             " is world-writable, so anyone could replace the file (chmod o-w the folder)\n");
  fs::permissions(dir, fs::perms::sticky_bit, fs::perm_options::add);  // like /tmp: accepted
  CHECK(run_host("plugins verify " + dir + "/good.so").exit_code == 0);
  fs::remove_all(dir);
}

TEST_CASE("a config may pin plugin files by SHA-256") {
  const std::string good = fixture_dir("good") + "/good.so";
  auto sum = run_in_source_dir("sha256sum " + good + " | cut -c1-64");
  REQUIRE(sum.exit_code == 0);
  const std::string hex = sum.output.substr(0, 64);
  const std::string dir = temp_dir("pinned");
  const std::string run = "--plugin-path " + fixture_dir("good") +
                          " run configs/core/resnet_digits.toml --set train.epochs=1 --work-dir " + dir + "/w";
  auto pinned = run_host(run + " --set \"plugins.sha256={'good.so'='" + hex + "'}\"");
  INFO(pinned.output);
  CHECK(pinned.exit_code == 0);

  const std::string wrong(64, 'a');
  auto refused = run_host(run + " --set \"plugins.sha256={'good.so'='" + wrong + "'}\"");
  CHECK(refused.exit_code == 3);
  CHECK(refused.output ==
        "error: " + good + ": refused: its SHA-256 is " + hex + ", the config pins " + wrong + "\n");

  auto missing = run_host(run + " --set \"plugins.sha256={'nope.so'='" + wrong + "'}\"");
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.output, "plugins.sha256.nope.so: no plugin file of this name on the plugin search path"));
  auto malformed = run_host(run + " --set \"plugins.sha256={'good.so'='abc'}\"");
  CHECK(malformed.exit_code == 2);
  CHECK(contains(malformed.output, "plugins.sha256.good.so: expected a SHA-256 digest: 64 hexadecimal digits"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("ABI policy: plugins of the previous ABI or another descriptor layout are refused with its sentences") {
  const std::string previous = fixture_dir("previous_abi") + "/previous_abi.so";
  auto r = run_host("--plugin-path " + fixture_dir("previous_abi") + " run configs/core/resnet_digits.toml");
  CHECK(r.exit_code == 3);
  CHECK(r.output == "error: " + previous + ": wrong ABI version: got 1, expected " +
                        std::to_string(razor::kSdkAbiVersion) + " (rebuild the plugin against this razor SDK)\n");
  const std::string old = fixture_dir("old_descriptor") + "/old_descriptor.so";
  auto v = run_host("plugins verify " + old);
  CHECK(v.exit_code == 3);
  CHECK(v.output == "error: " + old + ": wrong descriptor size: got 48, expected " +
                        std::to_string(sizeof(razor::PluginDescriptor)) + "\n");
}

TEST_CASE("docs/config-options.md is what the declarations generate") {
  std::ifstream in(std::string(RAZOR_SOURCE_DIR) + "/docs/config-options.md");
  const std::string checked_in((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto generated = run_host("plugins markdown");
  REQUIRE(generated.exit_code == 0);
  // On a difference: build/bin/razor-host plugins markdown > docs/config-options.md
  CHECK(generated.output == checked_in);
}
