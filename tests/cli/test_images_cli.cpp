// End to end on a folder of pictures: a run trains, validates on held-out pictures and reports the test
// folder once; it ends bit-identical with 0 or 3 loader threads and when killed and resumed; bad
// pictures and folders stop it with one line before anything is written, or are skipped when asked.
#include <chrono>
#include <filesystem>
#include <fstream>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "host_process.h"
#include "picture_writer.hpp"
#include "razor_doctest.hpp"

namespace fs = std::filesystem;

namespace {

// 3 classes of 12x12 pictures, each class a colour plus noise; PNG and JPEG, some grey.
void write_pictures(const std::string& root, int per_class) {
  at::manual_seed(1);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < per_class; ++i) {
      at::Tensor p = at::randint(0, 60, {12, 12, 3}, at::kInt);
      p.select(2, c).add_(150);
      const std::string dir = fmt::format("{}/class{}", root, c);
      fs::create_directories(dir);
      const at::Tensor pixels = p.to(at::kByte);
      const std::string name = fmt::format("{}/{:03d}.{}", dir, i, i % 2 ? "png" : "jpg");
      std::ofstream out(name, std::ios::binary);
      if (i % 5 == 4) {
        out << razor::test::png_bytes(pixels.select(2, c).unsqueeze(2));  // grey: the class's channel
      } else {
        out << (i % 2 ? razor::test::png_bytes(pixels) : razor::test::jpeg_bytes(pixels, 95));
      }
    }
  }
}

std::string write_config(const std::string& dir) {
  const std::string config = dir + "/pictures.toml";
  std::ofstream(config) << fmt::format(R"(stages = ["train"]
[runtime]
seed = 3
threads = 1
log_interval = 5
[data]
batch_size = 16
val_batch_size = 32
validation = "split"
val_split = 0.2
mean = [0.5, 0.5, 0.5]
std = [0.25, 0.25, 0.25]
train_pipeline = [
  {{ type = "random_resized_crop", size = [10], scale = [0.5, 1.0] }},
  {{ type = "random_flip" }},
  {{ type = "color_jitter", brightness = 0.2, hue = 0.05 }},
]
test_pipeline = [{{ type = "center_crop", size = [10] }}]
[data.dataset]
type = "image_folder"
root = "{}"
train_dir = "train"
test_dir = "test"
[algorithm]
type = "classifier"
[algorithm.architecture]
type = "resnet"
in_channels = 3
num_classes = 3
stem_channels = 8
widths = [8, 16]
blocks = [1, 1]
strides = [1, 2]
[algorithm.loss]
type = "cross_entropy"
[optimizer]
type = "sgd"
lr = 0.05
momentum = 0.9
[schedule]
type = "cosine"
[train]
epochs = 3
)", dir);
  return config;
}

}  // namespace

TEST_CASE("pictures: a run on a folder trains, reports test once, and is the same for any loader thread count") {
  const std::string root = temp_dir("pictures");
  write_pictures(root + "/train", 40);
  write_pictures(root + "/test", 10);
  const std::string config = write_config(root);

  auto a = run_host("run " + config + " --work-dir " + root + "/a --set data.workers=3");
  INFO(a.output);
  REQUIRE(a.exit_code == 0);
  CHECK(a.output.find("image_folder (" + root + ", 3 classes: class0, class1, class2, 3 channels); 96 training, 24 "
                      "validation (20 % of train held out), 30 test samples of 3x10x10; 3 loader workers") !=
        std::string::npos);
  CHECK(a.output.find("result: test top-1 ") != std::string::npos);
  CHECK(a.output.find("on the 30 test samples of the trained model (evaluated once; choices were made on 20 % of "
                      "train held out)") != std::string::npos);
  const auto val = lines_of(root + "/a/metrics.jsonl", "\"type\":\"val\"");
  REQUIRE_FALSE(val.empty());

  auto b = run_host("run " + config + " --work-dir " + root + "/b --set data.workers=0");
  INFO(b.output);
  REQUIRE(b.exit_code == 0);
  CHECK(read_file(root + "/a/model.pt") == read_file(root + "/b/model.pt"));
  CHECK(lines_of(root + "/b/metrics.jsonl", "\"type\":\"val\"") == val);

  // A smoke test: two steps an epoch on 32 pictures.
  auto quick = run_host("run " + config + " --work-dir " + root + "/quick --set train.max_steps=2 --set data.train_subset=32");
  INFO(quick.output);
  REQUIRE(quick.exit_code == 0);
  CHECK(lines_of(root + "/quick/metrics.jsonl", "\"type\":\"train\"").size() == 1);  // 6 steps, logged every 5
  CHECK(quick.output.find("32 training, 24 validation") != std::string::npos);

  // Killed anywhere (training, checkpoint writing) and resumed, it ends with the same weights.
  const std::vector<std::string> sets{"--set", "runtime.checkpoint_interval=4", "--set", "data.workers=2", "--set",
                                      "train.epochs=200"};
  const auto started = std::chrono::steady_clock::now();
  auto ref = run_host("run " + config + " --work-dir " + root + "/ref --set runtime.checkpoint_interval=4 --set "
                      "data.workers=2 --set train.epochs=200");
  REQUIRE(ref.exit_code == 0);
  const long ref_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::vector<std::string> args{"run", config, "--work-dir", root + "/killed"};
  args.insert(args.end(), sets.begin(), sets.end());
  const KillReport report = kill_and_resume(args, root + "/killed", ref_ms, {4, 7, 1, false, false, 700}, root + "/kills.log");
  MESSAGE(report.history);
  REQUIRE(report.finished);
  CHECK(report.kills >= 3);
  CHECK(read_file(root + "/killed/model.pt") == read_file(root + "/ref/model.pt"));
  CHECK(lines_of(root + "/killed/metrics.jsonl", "\"type\":\"val\"") == lines_of(root + "/ref/metrics.jsonl", "\"type\":\"val\""));
  fs::remove_all(root);
}

TEST_CASE("pictures: a bad picture or folder is one line before anything is written; skip logs it") {
  const std::string root = temp_dir("bad_pictures");
  write_pictures(root + "/train", 8);
  write_pictures(root + "/test", 2);
  const std::string config = write_config(root);
  const auto refused = [&](const std::string& sets) {
    auto r = run_host("run " + config + " --work-dir " + root + "/wd " + sets);
    CHECK(r.exit_code == 1);
    CHECK_FALSE(fs::exists(root + "/wd"));
    return r.output;
  };
  std::ofstream(root + "/train/class1/empty.png").flush();
  CHECK(refused("") == "error: " + root + "/train/class1/empty.png: empty file\n");
  fs::remove(root + "/train/class1/empty.png");
  std::ofstream(root + "/train/class1/page.jpg") << "<html></html>";
  CHECK(refused("") == "error: " + root +
                           "/train/class1/page.jpg: not a JPEG or PNG picture (the file starts with bytes 3c 68 74 6d)\n");
  fs::remove(root + "/train/class1/page.jpg");
  fs::create_directories(root + "/train/class3");
  CHECK(refused("") == "error: " + root + "/train/class3: empty class folder (no .jpg, .jpeg, .png files)\n");
  fs::remove_all(root + "/train/class3");
  CHECK(refused("--set \"data.dataset.root='" + root + "/nowhere'\"") ==
        "error: " + root + "/nowhere: the data set's root does not exist\n");
  // Pictures of another size, and a pipeline that does not resize.
  std::ofstream(root + "/train/class2/big.png", std::ios::binary)
      << razor::test::png_bytes(at::zeros({14, 14, 3}, at::kByte));
  CHECK(refused("--set data.train_pipeline=[] --set data.test_pipeline=[]")
            .rfind("error: " + root + "/train/class2/big.png: a 14x14 picture gives a 3x14x14 sample where ", 0) == 0);
  fs::remove(root + "/train/class2/big.png");

  // A truncated JPEG (its header intact) is found while training: named, or skipped and logged.
  const std::string jpeg = razor::test::jpeg_bytes(at::randint(0, 256, {12, 12, 3}, at::kInt).to(at::kByte), 95);
  std::ofstream(root + "/train/class0/000_cut.jpg", std::ios::binary) << jpeg.substr(0, jpeg.size() * 3 / 4);
  auto strict = run_host("run " + config + " --work-dir " + root + "/strict --set \"data.validation='test'\"");
  CHECK(strict.exit_code == 1);
  CHECK(strict.output.find("error: " + root + "/train/class0/000_cut.jpg: damaged JPEG picture (") != std::string::npos);
  auto lenient = run_host("run " + config + " --work-dir " + root + "/lenient --set \"data.validation='test'\" "
                          "--set \"data.on_bad_image='skip'\"");
  INFO(lenient.output);
  CHECK(lenient.exit_code == 0);
  CHECK(lenient.output.find("skipped a sample that cannot be read (1 so far): " + root + "/train/class0/000_cut.jpg") !=
        std::string::npos);
  fs::remove_all(root);
}

TEST_CASE("pictures made int8: the test pictures are scored once, by the int8 file itself") {
  const std::string root = temp_dir("pictures_int8");
  write_pictures(root + "/train", 20);
  write_pictures(root + "/test", 10);
  auto r = run_host("run " + write_config(root) + " --work-dir " + root + "/run --set \"algorithm.type='quantize'\"" +
                    " --set 'stages=[\"calibrate\", \"export\"]' --set calibrate.samples=32");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("calibrate: observed 32 training images") != std::string::npos);
  CHECK(r.output.find("of the int8 inference.pt (simulated ") != std::string::npos);
  CHECK(r.output.find("on the 30 test samples") != std::string::npos);
}
