// The hostile-input corpus (tests/hostile): broken subnet files, data files, weights files and checkpoints, each with its
// exact expected one-line error in its folder's expected.tsv ("<case>\t<message>", {path} standing for the
// case's own path). Broken configs live in tests/configs/bad and hostile plugins in tests/fixtures; both
// are run through razor-host by test_cli.
#include <filesystem>
#include <fstream>
#include <map>

#include <sys/stat.h>

#include "cifar10_dataset.h"
#include "idx_dataset.h"
#include "razor/model_weights.h"
#include "razor/state_dict.h"
#include "razor/subnet_file.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"
#include "tiny_algorithm.hpp"
#include "stages/train/checkpoint.h"

namespace fs = std::filesystem;
using namespace razor;

namespace {

const std::string kCorpus = std::string(RAZOR_SOURCE_DIR) + "/tests/hostile/";

// The cases of one folder, in expected.tsv order; every file or folder in it must have a line.
std::vector<std::pair<std::string, std::string>> cases(const std::string& folder) {
  std::ifstream in(kCorpus + folder + "/expected.tsv");
  std::vector<std::pair<std::string, std::string>> out;
  std::map<std::string, bool> listed;
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    listed[out.back().first] = true;
  }
  for (const auto& e : fs::directory_iterator(kCorpus + folder)) {
    const std::string name = e.path().filename().string();
    INFO(folder << "/" << name);
    if (name != "expected.tsv") CHECK(listed.count(name) == 1);
  }
  REQUIRE(!out.empty());
  return out;
}

std::string expected_for(std::string message, const std::string& path) {
  for (std::size_t at; (at = message.find("{path}")) != std::string::npos;) message.replace(at, 6, path);
  return message;
}

}  // namespace

TEST_CASE("hostile subnet files: one exact line each") {
  const std::vector<SearchGroup> space{{"stages.0", {"shuffle_3x3", "shuffle_5x5"}, {}},
                                       {"stages.1", {"shuffle_3x3", "shuffle_xception"}, {}}};
  for (const auto& [case_name, case_message] : cases("subnets")) {
    const std::string name = case_name, message = case_message;  // clang: lambdas cannot capture bindings
    const std::string path = kCorpus + "subnets/" + name;
    CAPTURE(name);
    CHECK(test::error_of([&] { load_subnet(path, space); }) == expected_for(message, path));
  }
}

TEST_CASE("hostile IDX and CIFAR-10 files: one exact line each") {
  for (const auto& [case_name, case_message] : cases("data/idx")) {
    const std::string name = case_name, message = case_message;  // clang: lambdas cannot capture bindings
    const std::string dir = kCorpus + "data/idx/" + name;
    CAPTURE(name);
    const core::IdxDataset idx(dir, {"images", "labels", "images", "labels"}, 10);
    CHECK(test::error_of([&] { idx.load(Split::test); }) == expected_for(message, dir));
  }
  for (const auto& [case_name, case_message] : cases("data/cifar")) {
    const std::string name = case_name, message = case_message;  // clang: lambdas cannot capture bindings
    const std::string dir = kCorpus + "data/cifar/" + name;
    CAPTURE(name);
    CHECK(test::error_of([&] { core::Cifar10Dataset(dir).load(Split::test); }) == expected_for(message, dir));
  }
}

TEST_CASE("data files that are not regular files (a FIFO, /dev/zero) are refused, not read") {
  test::TempDir dir("hostile_special");
  REQUIRE(::mkfifo(dir.file("labels").c_str(), 0600) == 0);  // the labels are read first
  dir.write("images", "");
  const core::IdxDataset fifo(dir.path.string(), {"images", "labels", "images", "labels"}, 10);
  CHECK(test::error_of([&] { fifo.load(Split::test); }) ==
        dir.file("labels") + ": not a regular file (a FIFO, a device or a socket)");
  fs::remove(dir.file("labels"));
  fs::create_symlink("/dev/zero", dir.file("labels"));
  const core::IdxDataset zero(dir.path.string(), {"images", "labels", "images", "labels"}, 10);
  CHECK(test::error_of([&] { zero.load(Split::test); }) ==
        dir.file("labels") + ": not a regular file (a FIFO, a device or a socket)");
}

TEST_CASE("hostile weights files (zip archives damaged where LibTorch's reader would trust them): one exact line each") {
  for (const auto& [case_name, case_message] : cases("weights")) {
    const std::string name = case_name, message = case_message;  // clang: lambdas cannot capture bindings
    const std::string path = kCorpus + "weights/" + name;
    CAPTURE(name);
    CHECK(test::error_of([&] { read_state_dict(path); }) == expected_for(message, path));
  }
}

TEST_CASE("hostile checkpoints: one exact line each, and the model left as it was") {
  for (const auto& [case_name, case_message] : cases("checkpoints")) {
    const std::string name = case_name, message = case_message;  // clang: lambdas cannot capture bindings
    const std::string path = kCorpus + "checkpoints/" + name;
    CAPTURE(name);
    test::Trainee t;
    const at::Tensor before = t.algorithm->model().parameters()[0].clone();
    CHECK(test::error_of([&] { host::load_checkpoint(path, *t.algorithm, t.optimizer, c10::kCPU); }) ==
          expected_for(message, path));
    CHECK(at::equal(t.algorithm->model().parameters()[0], before));
  }
}

TEST_CASE("a checkpoint or weights file of another width is refused, naming the tensor and both shapes") {
  const test::TempDir dir("other_width");
  test::Trainee wide(5, /*step=*/true), narrow;
  host::save_checkpoint(dir.file("wide.pt"), *wide.algorithm, wide.optimizer, {}, c10::kCPU);
  CHECK(test::error_of([&] {
          host::load_checkpoint(dir.file("wide.pt"), *narrow.algorithm, narrow.optimizer, c10::kCPU);
        }) == dir.file("wide.pt") + ": architecture.fc.weight: shape [5, 4] in the file, [3, 4] in the model "
                         "(another architecture or width?)");
  save_weights(wide.algorithm->model(), dir.file("model.pt"));
  CHECK(test::error_of([&] { load_weights(narrow.algorithm->model(), dir.file("model.pt")); }) ==
        "cannot load weights from '" + dir.file("model.pt") +
            "' (razor weights): 2 of another shape (fc.weight: [5, 4] in the file, [3, 4] in the model, fc.bias: [5] "
            "in the file, [3] in the model)");
  // The same width loads, and gives the saved model's outputs.
  test::Trainee same;
  host::save_checkpoint(dir.file("narrow.pt"), *narrow.algorithm, narrow.optimizer, {}, c10::kCPU);
  host::load_checkpoint(dir.file("narrow.pt"), *same.algorithm, same.optimizer, c10::kCPU);
  CHECK(at::equal(same.algorithm->predict(at::ones({1, 4})), narrow.algorithm->predict(at::ones({1, 4}))));
}

TEST_CASE("error messages are one line of text: control characters and stray bytes are escaped") {
  CHECK(std::string(Error("a\nb\r\x01\tc").what()) == "a\\nb\\r\\x01\tc");
  CHECK(std::string(Error("donn\xc3\xa9" "es/\xe2\x82\xac: \x93 \xc3(").what()) ==
        "donn\xc3\xa9" "es/\xe2\x82\xac: \\x93 \\xc3(");  // UTF-8 kept, the rest escaped
  CHECK(std::string(ConfigError("x.toml:3:1: saw '\n'").what()) == "x.toml:3:1: saw '\\n'");
}
