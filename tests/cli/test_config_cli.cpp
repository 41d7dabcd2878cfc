// The bad-config corpus: every file in tests/configs/bad names its exact expected error line
// (`# expect: ...`, optional `# args: ...`). Each must fail with exit code 2, that one line, and no
// work dir written.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include <ATen/Context.h>

#include "host_process.h"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

TEST_CASE("bad-config corpus: one exact line, exit code 2, nothing written") {
  const fs::path corpus = fs::path(RAZOR_SOURCE_DIR) / "tests/configs/bad";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 12);
  const std::string work = temp_dir("badcfg");
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string expect, args;
    std::getline(in, expect);
    REQUIRE(expect.rfind("# expect: ", 0) == 0);
    expect = expect.substr(10);
    if (std::string second; std::getline(in, second) && second.rfind("# args: ", 0) == 0) args = second.substr(8);
    const std::string rel = "tests/configs/bad/" + file.filename().string();
    const std::string dir = work + "/" + file.stem().string();
    auto r = run_host("run " + rel + " --work-dir " + dir + " " + args);
    INFO(rel);
    CHECK(r.exit_code == 2);
    CHECK(r.output == expect + "\n");
    CHECK_FALSE(fs::exists(dir));
  }

  auto missing = run_host("run tests/configs/bad/no_such_file.toml --work-dir " + work + "/x");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output == "error: tests/configs/bad/no_such_file.toml: config file not found\n");
  auto device = run_host("run configs/core/resnet_digits.toml --device tpu --work-dir " + work + "/x");
  CHECK(device.exit_code == 2);
  CHECK(device.output == "error: --device tpu: expected cpu, cuda or cuda:N\n");
  CHECK_FALSE(fs::exists(work + "/x"));
  if (!at::hasCUDA()) {
    auto cuda = run_host("run configs/core/resnet_digits.toml --device cuda --work-dir " + work + "/x");
    CHECK(cuda.exit_code == 2);
    CHECK(cuda.output == "error: --device cuda: CUDA is not available in this LibTorch build or machine\n");
    CHECK_FALSE(fs::exists(work + "/x"));
  }
  fs::remove_all(work);
}

TEST_CASE("hostile command lines (tests/hostile/cli): one exact line, exit code 2, nothing written") {
  // expected.tsv: "<arguments as a shell reads them>\t<the error line>".
  std::ifstream in(std::string(RAZOR_SOURCE_DIR) + "/tests/hostile/cli/expected.tsv");
  const std::string work = temp_dir("hostile_cli");
  int cases = 0;
  for (std::string line; std::getline(in, line); ++cases) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string args = line.substr(0, tab);
    INFO(args);
    // run_host runs in the source folder: a run that wrongly started would write work_dirs/ there.
    auto r = run_host(args);
    CHECK(r.exit_code == 2);
    CHECK(r.output == line.substr(tab + 1) + "\n");
  }
  CHECK(cases >= 12);
  CHECK_FALSE(fs::exists(std::string(RAZOR_SOURCE_DIR) + "/work_dirs/resnet_digits"));

  // Not regular files: a FIFO (it would block a reader), and a chain of extends longer than 64 files.
  const std::string fifo = work + "/fifo.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto r = run_host("run " + fifo + " --work-dir " + work + "/x");
  CHECK(r.exit_code == 2);
  CHECK(r.output == "error: " + fifo + ": not a regular file\n");
  for (int i = 0; i < 70; ++i) std::ofstream(work + "/c" + std::to_string(i) + ".toml") << "extends = 'c" << i + 1 << ".toml'\n";
  std::ofstream(work + "/c70.toml") << "[train]\nepochs = 1\n";
  r = run_host("run " + work + "/c0.toml --work-dir " + work + "/x");
  CHECK(r.exit_code == 2);
  CHECK(r.output == "error: " + work + "/c63.toml:1:11: extends: more than 64 files deep\n");
  CHECK_FALSE(fs::exists(work + "/x"));
  fs::remove_all(work);
}

TEST_CASE("config show prints the composed config") {
  auto r = run_host("config show configs/core/resnet_digits.toml --set train.epochs=3");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("epochs = 3") != std::string::npos);
  CHECK(r.output.find("type = 'digits'") != std::string::npos);
  CHECK(r.output.find("extends") == std::string::npos);
}

TEST_CASE("data and model faults: one line, exit code 1, nothing written") {
  const std::string work = temp_dir("datafault");
  auto missing = run_host("run configs/core/resnet_digits.toml --work-dir " + work + "/a" +
                          " --set \"data.dataset={type='idx', root='/nonexistent'}\"");
  CHECK(missing.exit_code == 1);
  CHECK(missing.output ==
        "error: /nonexistent/train-images-idx3-ubyte: cannot open: No such file or directory (nor "
        "/nonexistent/train-images-idx3-ubyte.gz)\n");

  auto channels = run_host("run configs/core/resnet_digits.toml --work-dir " + work + "/b" +
                           " --set algorithm.architecture.in_channels=3");
  CHECK(channels.exit_code == 1);
  CHECK(channels.output.rfind("error: configs/core/resnet_digits.toml:8:1: the model does not accept images of "
                              "shape [1, 1, 8, 8]: ", 0) == 0);
  CHECK(std::count(channels.output.begin(), channels.output.end(), '\n') == 1);

  auto classes = run_host("run configs/core/resnet_digits.toml --work-dir " + work + "/c" +
                          " --set algorithm.architecture.num_classes=5");
  CHECK(classes.exit_code == 1);
  CHECK(classes.output == "error: configs/core/resnet_digits.toml:8:1: the model gives logits of shape [1, 5] "
                          "but the labels go up to 9\n");
  CHECK_FALSE(fs::exists(work + "/a"));
  CHECK_FALSE(fs::exists(work + "/b"));
  CHECK_FALSE(fs::exists(work + "/c"));
  fs::remove_all(work);
}
