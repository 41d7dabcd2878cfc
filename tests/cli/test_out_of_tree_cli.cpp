// Third-party plugins end to end: install razor to a temporary prefix, scaffold a loss plugin out of
// tree, build and test it against the installed SDK, and train with it through the installed
// razor-host and RAZOR_PLUGIN_PATH; then the same for docs/examples/own_model, pruned with AutoSlim.
#include <filesystem>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The scaffolded project's one build command against the installed package, then its own tests
// (ccache only speeds up the test).
std::string build_and_test(const std::string& project, const std::string& prefix) {
  return std::string(RAZOR_CMAKE) + " -S " + project + " -B " + project +
         "/build -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_PREFIX_PATH=" + prefix + " && " + RAZOR_CMAKE +
         " --build " + project + "/build && ctest --test-dir " + project + "/build --output-on-failure";
}

}  // namespace

TEST_CASE("scaffold a loss plugin, build it against the installed SDK, train with it") {
  const std::string root = temp_dir("out_of_tree"), prefix = root + "/prefix", project = root + "/brier";
  auto install = run_in_source_dir(std::string(RAZOR_CMAKE) + " --install " + RAZOR_BINARY_DIR + " --prefix " + prefix);
  INFO(install.output);
  REQUIRE(install.exit_code == 0);
  for (const char* file : {"/lib/cmake/razor/razorConfig.cmake", "/lib/cmake/razor/RazorPlugin.cmake",
                           "/include/razor/sdk.h", "/share/razor/configs/nas/spos_shufflenet_digits.toml"})
    CHECK_MESSAGE(fs::exists(prefix + file), file);
  const std::string host = prefix + "/bin/razor-host";

  auto scaffold = run_in_source_dir(host + " new-plugin brier --kind loss --dir " + project);
  INFO(scaffold.output);
  REQUIRE(scaffold.exit_code == 0);
  CHECK(contains(scaffold.output, "-DCMAKE_PREFIX_PATH=" + prefix));

  auto build = run_in_source_dir(build_and_test(project, prefix));
  INFO(build.output);
  REQUIRE(build.exit_code == 0);
  CHECK(contains(build.output, "100% tests passed"));

  const std::string env = "RAZOR_PLUGIN_PATH=" + project + "/build";
  auto info = run_host("plugins info brier", env);
  CHECK(contains(info.output, "loss/brier"));
  auto listed = run_in_source_dir(env + " " + host + " plugins list");
  CHECK(contains(listed.output, "from " + project + "/build/brier.so"));
  auto run = run_in_source_dir(env + " " + host + " run " + project + "/configs/brier.toml --work-dir " + root +
                               "/run --set train.epochs=1 --set train.val_interval=1");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.output, "training done: validation top-1"));

  // Checked and refused like any plugin: verify, a wrong pinned hash, a world-writable copy.
  const std::string so = project + "/build/brier.so";
  auto verified = run_in_source_dir(host + " plugins verify " + so);
  CHECK(verified.exit_code == 0);
  CHECK(contains(verified.output, "plugin brier 0.1.0"));
  CHECK(contains(verified.output, "verified\n"));
  const std::string wrong(64, '0');
  auto pinned = run_in_source_dir(env + " " + host + " run " + project + "/configs/brier.toml --work-dir " + root +
                                  "/pinned --set \"plugins.sha256={'brier.so'='" + wrong + "'}\"");
  CHECK(pinned.exit_code == 3);
  CHECK(contains(pinned.output, "error: " + so + ": refused: its SHA-256 is "));
  fs::create_directories(root + "/shared");
  fs::copy_file(so, root + "/shared/brier.so");
  fs::permissions(root + "/shared/brier.so", fs::perms::others_write, fs::perm_options::add);
  auto open = run_in_source_dir("RAZOR_PLUGIN_PATH=" + root + "/shared " + host + " plugins list");
  CHECK(open.exit_code == 1);
  CHECK(contains(open.output, "refused: " + root + "/shared/brier.so: refused: the file is world-writable"));

  // The other kinds' projects build, pass their own tests and train the same way.
  for (const std::string kind : {"model", "algorithm", "searcher", "dataset"}) {
    const std::string dir = root + "/my_" + kind;
    auto made = run_in_source_dir(host + " new-plugin my_" + kind + " --kind " + kind + " --dir " + dir + " && " +
                                  build_and_test(dir, prefix));
    INFO(made.output);
    CHECK(made.exit_code == 0);
    // The model scaffold is exported too: traced, as it has no TorchScript source.
    const std::string stages = kind == "model" ? " --set \"stages=['train','export']\"" : "";
    auto trained = run_in_source_dir("RAZOR_PLUGIN_PATH=" + dir + "/build " + host + " run " + dir + "/configs/my_" +
                                     kind + ".toml --work-dir " + dir + "/run --set train.epochs=1 --set train.val_interval=1" +
                                     stages);
    INFO(trained.output);
    CHECK(contains(trained.output, "training done: validation top-1"));
    if (kind == "model") {
      CHECK(contains(trained.output, "export: subnet.pt was traced (the model has no TorchScript source)"));
      CHECK(contains(read_file(dir + "/run/export/report.toml"), "torchscript_path = \"traced\"\n"));
    }
    if (kind == "searcher") CHECK(contains(trained.output, "search done: best"));
    if (kind == "dataset") CHECK(contains(trained.output, "result: test top-1 "));  // its test split, once
  }

  // docs/examples/own_model: a hand-written LibTorch model (a residual add, a concatenation of two
  // branches) whose channel units razor finds by itself, built and pruned end to end from its config.
  const std::string own = root + "/own_model", own_config = own + "/configs/autoslim_tiny_vgg_digits.toml";
  fs::create_directories(own);
  for (const char* part : {"CMakeLists.txt", "src", "tests", "configs"})  // not a build/ made in the source tree
    fs::copy(std::string(RAZOR_SOURCE_DIR) + "/docs/examples/own_model/" + part, own + "/" + part,
             fs::copy_options::recursive);
  auto own_build = run_in_source_dir(build_and_test(own, prefix));
  INFO(own_build.output);
  REQUIRE(own_build.exit_code == 0);
  CHECK(contains(own_build.output, "100% tests passed"));
  const std::string own_env = "RAZOR_PLUGIN_PATH=" + own + "/build";
  auto units = run_in_source_dir(own_env + " " + host + " units " + own_config);
  INFO(units.output);
  CHECK(units.exit_code == 0);
  CHECK(contains(units.output, "at input [1, 1, 8, 8]: 5 prunable of 7\n"));
  CHECK(contains(units.output,  // the residual add: the stem's channels are res2's
                 "  stem.conv_(0, 16)_16: 16 channels, prunable\n"
                 "    out: stem.conv conv_out [0, 16), stem.bn bn [0, 16), res2.conv conv_out [0, 16), res2.bn bn [0, 16)\n"));
  CHECK(contains(units.output,  // the concatenation: each branch a unit, read by head at its offset
                 "  branch1x1.conv_(0, 16)_16: 16 channels, prunable\n"
                 "    out: branch1x1.conv conv_out [0, 16), branch1x1.bn bn [0, 16)\n"
                 "    in:  head.conv conv_in [0, 16)\n"));
  CHECK(contains(units.output,
                 "  branch3x3.conv_(0, 24)_24: 24 channels, prunable\n"
                 "    out: branch3x3.conv conv_out [0, 24), branch3x3.bn bn [0, 24)\n"
                 "    in:  head.conv conv_in [16, 40)\n"));
  CHECK(contains(units.output, "barriers: none\n"));
  // One thread: a model this small runs ten times slower on two threads of a busy 2-core machine.
  auto pruned = run_in_source_dir(own_env + " " + host + " run " + own_config + " --work-dir " + own +
                                  "/run --set train.epochs=1 --set train.val_interval=1 --set search.calibrate_samples=256"
                                  " --set runtime.threads=1");
  INFO(pruned.output);
  CHECK(pruned.exit_code == 0);
  CHECK(contains(pruned.output, "search result flops_350000: "));
  CHECK(contains(pruned.output, "result: validation top-1 "));
  CHECK(fs::exists(own + "/run/export/report.toml"));
  CHECK(fs::exists(own + "/run/export/subnet.pt"));
  fs::remove_all(root);
}

TEST_CASE("new-plugin refuses a bad name, an unknown kind and an existing folder, writing nothing") {
  const std::string root = temp_dir("scaffold_bad");
  auto bad_name = run_host("new-plugin My-Loss --kind loss --dir " + root + "/a");
  CHECK(bad_name.exit_code == 2);
  CHECK(bad_name.output == "error: new-plugin: 'My-Loss' is not a plugin name (expected lower_case: a-z, 0-9, _)\n");
  auto bad_kind = run_host("new-plugin mine --kind pruner --dir " + root + "/b");
  CHECK(bad_kind.exit_code == 2);
  CHECK(bad_kind.output == "error: new-plugin: --kind pruner: no template (available: algorithm, dataset, loss, model, searcher)\n");
  CHECK_FALSE(fs::exists(root + "/a"));
  CHECK_FALSE(fs::exists(root + "/b"));
  auto exists = run_host("new-plugin mine --kind loss --dir " + root);
  CHECK(exists.exit_code == 2);
  CHECK(exists.output == "error: new-plugin: " + root + " already exists; choose another --dir\n");
  fs::remove_all(root);
}
