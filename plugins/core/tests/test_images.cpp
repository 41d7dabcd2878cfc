// Pictures: the JPEG and PNG decoders against known pixels, the image_folder and file_list data sets on
// generated folders (good and hostile files), and the transforms' exact arithmetic.
#include <ATen/ATen.h>

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <filesystem>
#include <string>

#include "images/file_list_dataset.h"
#include "images/image_folder_dataset.h"
#include "images/picture_decoder.h"
#include "picture_writer.hpp"
#include "razor/errors.h"
#include "razor/testing/fake_context.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"
#include "transforms/center_crop.h"
#include "transforms/color_jitter.h"
#include "transforms/normalize.h"
#include "transforms/random_crop.h"
#include "transforms/random_flip.h"
#include "transforms/random_resized_crop.h"
#include "transforms/resize.h"
#include "transforms/to_tensor.h"

namespace fs = std::filesystem;
using namespace razor::core;
using razor::SampleRandom;
using razor::Split;
using razor::test::error_of;
using razor::test::jpeg_bytes;
using razor::test::png_bytes;

namespace {

// A uint8 [h, w, c] picture whose pixel (y, x, k) is (y * 31 + x * 7 + k * 50 + seed) % 256.
at::Tensor pattern(std::int64_t h, std::int64_t w, std::int64_t c, std::int64_t seed = 0) {
  const at::Tensor y = at::arange(h, at::kInt).view({h, 1, 1}), x = at::arange(w, at::kInt).view({1, w, 1}),
                   k = at::arange(c, at::kInt).view({1, 1, c});
  return ((y * 31 + x * 7 + k * 50 + seed) % 256).to(at::kByte);
}

// Flat colour blocks survive JPEG at quality 100 within a level or two.
at::Tensor blocks(std::int64_t c) {
  at::Tensor p = at::zeros({16, 16, c}, at::kByte);
  p.narrow(0, 0, 8).fill_(200);
  if (c == 3) p.narrow(0, 8, 8).select(2, 1).fill_(120);
  return p;
}

std::int64_t max_difference(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kInt) - b.to(at::kInt)).abs().max().item<std::int64_t>();
}

razor::testing::Context ctx;

}  // namespace

TEST_CASE("pictures: PNG decodes exactly; channels convert as PIL converts them") {
  const at::Tensor rgb = pattern(5, 7, 3);
  at::Tensor got = decode_picture(png_bytes(rgb), "a.png");
  CHECK(got.sizes() == at::IntArrayRef({5, 7, 3}));
  CHECK(at::equal(got, rgb));
  CHECK(read_picture_header(png_bytes(rgb), "a.png").width == 7);

  const at::Tensor rgba = pattern(4, 3, 4, 9);
  CHECK(at::equal(decode_picture(png_bytes(rgba), "b.png"), rgba));
  CHECK(at::equal(convert_channels(rgba, 3), rgba.narrow(2, 0, 3)));  // alpha dropped, not composited

  const at::Tensor grey = pattern(6, 6, 1);
  CHECK(at::equal(convert_channels(decode_picture(png_bytes(grey), "g.png"), 3), grey.expand({6, 6, 3})));
  const at::Tensor grey_alpha = pattern(2, 2, 2);
  CHECK(at::equal(convert_channels(decode_picture(png_bytes(grey_alpha), "ga.png"), 1), grey_alpha.narrow(2, 0, 1)));

  // ITU-R 601-2 luma in PIL's fixed point: (19595 R + 38470 G + 7471 B + 32768) >> 16.
  const at::Tensor one = at::tensor({10, 200, 30}, at::kByte).view({1, 1, 3});
  CHECK(convert_channels(one, 1).item<std::uint8_t>() == (19595 * 10 + 38470 * 200 + 7471 * 30 + 32768) >> 16);

  CHECK(error_of([&] { decode_picture(png_bytes(rgb, true), "deep.png"); }) ==
        "deep.png: 16-bit PNG pictures are not supported; save it with 8 bits per channel");
  std::string cut = png_bytes(pattern(64, 64, 3));
  cut.resize(cut.size() / 2);
  CHECK(error_of([&] { decode_picture(cut, "cut.png"); }).rfind("cut.png: damaged PNG picture (", 0) == 0);
}

TEST_CASE("pictures: JPEG decodes close to what was encoded; faults are named") {
  for (std::int64_t c : {1, 3}) {
    const at::Tensor p = blocks(c);
    const at::Tensor got = decode_picture(jpeg_bytes(p), "p.jpg");
    CHECK(got.sizes() == p.sizes());
    CHECK(max_difference(got, p) <= 2);
  }
  const std::string whole = jpeg_bytes(pattern(64, 48, 3), 90);
  CHECK(read_picture_header(whole.substr(0, 700), "h.jpg").height == 64);  // the header alone is enough
  CHECK(error_of([&] { decode_picture(whole.substr(0, whole.size() / 2), "t.jpg"); })
            .rfind("t.jpg: damaged JPEG picture (", 0) == 0);
  CHECK(error_of([&] { decode_picture("", "e.jpg"); }) == "e.jpg: empty file");
  // A header claiming 60000x60000 pixels in a file of a few hundred bytes is refused before allocating.
  std::string bomb = jpeg_bytes(pattern(8, 8, 3), 90);
  const std::size_t sof = bomb.find("\xff\xc0");
  REQUIRE(sof != std::string::npos);
  bomb[sof + 5] = bomb[sof + 7] = static_cast<char>(0xea);
  bomb[sof + 6] = bomb[sof + 8] = static_cast<char>(0x60);
  CHECK(error_of([&] { decode_picture(bomb, "bomb.jpg"); }) ==
        fmt::format("bomb.jpg: the JPEG header claims 60000x60000 pixels, more than the file can hold ({} bytes)", bomb.size()));
  CHECK(error_of([&] { decode_picture("hello", "x.jpg"); }) ==
        "x.jpg: not a JPEG or PNG picture (the file starts with bytes 68 65 6c 6c)");
  const std::string short_header = error_of([&] { read_picture_header(std::string("\xff\xd8\xff\xe0", 4), "short.jpg"); });
  CHECK_MESSAGE(short_header.rfind("short.jpg: damaged JPEG header (", 0) == 0, short_header);
}

TEST_CASE("image_folder: classes are the sorted folders; splits, options and every bad file named") {
  razor::test::TempDir dir("images");
  dir.write("train/cat/1.png", png_bytes(pattern(4, 4, 3, 1)));
  dir.write("train/cat/deeper/2.JPG", jpeg_bytes(blocks(3).narrow(0, 0, 4).narrow(1, 0, 4)));
  dir.write("train/ant/1.png", png_bytes(pattern(4, 4, 1, 2)));
  dir.write("train/ant/notes.txt", "not a picture, not taken");
  dir.write("train/.hidden/1.png", png_bytes(pattern(4, 4, 3)));
  dir.write("test/cat/9.png", png_bytes(pattern(4, 4, 3, 3)));

  ImageFolderOptions o;
  o.root = dir.path.string();
  o.train_dir = "train";
  o.test_dir = "test";
  const ImageFolderDataset set(ctx, o);
  CHECK(set.class_names() == std::vector<std::string>{"ant", "cat"});
  CHECK(set.has_split(Split::test));
  CHECK_FALSE(set.has_split(Split::val));
  const auto train = set.open(Split::train);
  REQUIRE(train->size() == 3);
  CHECK(train->name(0) == dir.file("train/ant/1.png"));
  CHECK(train->label(0) == 0);
  CHECK(train->label(2) == 1);
  CHECK(train->name(2) == dir.file("train/cat/deeper/2.JPG"));
  CHECK(train->stored_size(1) == std::pair<std::int64_t, std::int64_t>{4, 4});
  CHECK(at::equal(train->read(0), pattern(4, 4, 1, 2).expand({4, 4, 3})));  // grey to RGB
  CHECK(at::equal(set.open(Split::test)->read(0), pattern(4, 4, 3, 3)));
  CHECK(set.describe() == "image_folder (" + o.root + ", 2 classes: ant, cat, 3 channels)");

  ImageFolderOptions only_cat = o;
  only_cat.classes = {"cat"};
  only_cat.channels = 1;
  const auto cats = ImageFolderDataset(ctx, only_cat).open(Split::train);
  CHECK(cats->size() == 2);
  CHECK(cats->read(0).sizes() == at::IntArrayRef({4, 4, 1}));

  ImageFolderOptions missing = o;
  missing.root = dir.file("nowhere");
  CHECK(error_of([&] { ImageFolderDataset(ctx, missing); }) == dir.file("nowhere") + ": the data set's root does not exist");
  missing = o;
  missing.classes = {"cat", "dog"};
  CHECK(error_of([&] { ImageFolderDataset(ctx, missing); }) ==
        dir.file("train") + ": class folder 'dog' (from classes) does not exist");

  dir.write("test/dog/1.png", png_bytes(pattern(4, 4, 3)));
  CHECK(error_of([&] { set.open(Split::test); }) == dir.file("test") + ": folder 'dog' is not one of the 2 training classes");
  fs::remove_all(dir.file("test/dog"));

  const auto fails_with = [&](const std::string& name, const std::string& bytes) {
    const std::string path = dir.write("train/cat/" + name, bytes);
    const std::string message = error_of([&] { set.open(Split::train); });
    fs::remove(path);
    return message;
  };
  CHECK(fails_with("0.png", "") == dir.file("train/cat/0.png") + ": empty file");
  CHECK(fails_with("0.jpg", "<html>") ==
        dir.file("train/cat/0.jpg") + ": not a JPEG or PNG picture (the file starts with bytes 3c 68 74 6d)");
  fs::create_directories(dir.file("train/bee"));
  CHECK(error_of([&] { ImageFolderDataset(ctx, o).open(Split::train); }) ==
        dir.file("train/bee") + ": empty class folder (no .jpg, .jpeg, .png files)");
  fs::remove_all(dir.file("train/bee"));
  fs::create_symlink(dir.file("gone.png"), dir.file("train/cat/0.png"));
  CHECK(error_of([&] { set.open(Split::train); }) == dir.file("train/cat/0.png") + ": cannot open: No such file or directory");
  fs::remove(dir.file("train/cat/0.png"));

  // A truncated picture passes the header check; reading it names it.
  const std::string jpeg = jpeg_bytes(pattern(64, 64, 3), 90);
  dir.write("train/cat/cut.jpg", jpeg.substr(0, jpeg.size() / 2));
  const auto with_cut = set.open(Split::train);
  REQUIRE(with_cut->name(2) == dir.file("train/cat/cut.jpg"));
  const std::string cut_error = error_of([&] { with_cut->read(2); });
  CHECK_MESSAGE(cut_error.rfind(dir.file("train/cat/cut.jpg") + ": damaged JPEG picture (", 0) == 0, cut_error);
}

TEST_CASE("file_list: 'path label' lines below a root; faults by file and line") {
  razor::test::TempDir dir("lists");
  dir.write("pics/a b.png", png_bytes(pattern(3, 3, 3)));
  dir.write("pics/c.png", png_bytes(pattern(3, 3, 3, 5)));
  dir.write("train.txt", "pics/a b.png 2\n\npics/c.png\t0\r\n");
  FileListOptions o;
  o.root = dir.path.string();
  o.train_list = dir.file("train.txt");
  const FileListDataset set(ctx, o);
  CHECK(set.num_classes() == 3);
  const auto train = set.open(Split::train);
  REQUIRE(train->size() == 2);
  CHECK(train->name(0) == dir.file("pics/a b.png"));
  CHECK(train->label(0) == 2);
  CHECK(at::equal(train->read(1), pattern(3, 3, 3, 5)));

  const auto fault = [&](const std::string& text) {
    dir.write("bad.txt", text);
    FileListOptions b = o;
    b.train_list = dir.file("bad.txt");
    b.classes = {"x", "y"};
    return error_of([&] { FileListDataset(ctx, b).open(Split::train); });
  };
  CHECK(fault("pics/c.png 0\nnolabel\n") == dir.file("bad.txt") + ":2: expected 'path label', got 'nolabel'");
  CHECK(fault("pics/c.png one\n") == dir.file("bad.txt") + ":1: label 'one' is not a non-negative integer");
  CHECK(fault("pics/c.png 2\n") == dir.file("bad.txt") + ":1: label 2 is out of range 0..1 (classes has 2 names)");
  CHECK(fault("\n\n") == dir.file("bad.txt") + ": no pictures listed");
  CHECK(fault("pics/none.png 1\n") == dir.file("pics/none.png") + ": cannot open: No such file or directory");
}

TEST_CASE("transforms: exact geometry and arithmetic on both layouts") {
  SampleRandom random(5);
  const at::Tensor picture = pattern(6, 8, 3);
  const at::Tensor tensor = ToTensor(ToTensorOptions{}).apply(picture, random);
  CHECK(tensor.sizes() == at::IntArrayRef({3, 6, 8}));
  CHECK(tensor[1][2][3].item<float>() == doctest::Approx(picture[2][3][1].item<std::uint8_t>() / 255.0));

  CenterCropOptions cc;
  cc.size = {4, 2};
  const at::Tensor centre = CenterCrop(cc).apply(picture, random);
  CHECK(at::equal(centre, picture.narrow(0, 1, 4).narrow(1, 3, 2)));
  CHECK(at::equal(CenterCrop(cc).apply(tensor, random), tensor.narrow(1, 1, 4).narrow(2, 3, 2)));

  // random_crop with a border: every crop is a window of the padded picture, and over many draws
  // every offset appears.
  RandomCropOptions rc;
  rc.size = {6, 8};
  rc.padding = 1;
  rc.fill = 7;
  std::set<std::pair<int, int>> offsets;
  const at::Tensor padded = at::constant_pad_nd(picture.permute({2, 0, 1}).to(at::kInt), {1, 1, 1, 1}, 7);
  for (std::uint64_t s = 0; s < 200; ++s) {
    SampleRandom r(s);
    const at::Tensor crop = RandomCrop(rc).apply(picture, r).permute({2, 0, 1}).to(at::kInt);
    bool found = false;
    for (int dy = 0; dy <= 2 && !found; ++dy)
      for (int dx = 0; dx <= 2 && !found; ++dx)
        if (at::equal(crop, padded.narrow(1, dy, 6).narrow(2, dx, 8))) {
          offsets.insert({dy, dx});
          found = true;
        }
    CHECK(found);
  }
  CHECK(offsets.size() == 9);
  rc.size = {10, 10};
  rc.padding = 0;
  CHECK(error_of([&] { RandomCrop(rc).apply(picture, random); }) ==
        "random_crop of 10x10 from a 6x8 sample (resize first, or pad_if_needed)");

  RandomFlipOptions always;
  always.prob = 1.0;
  CHECK(at::equal(RandomFlip(always).apply(picture, random), picture.flip({1})));
  always.direction = "vertical";
  CHECK(at::equal(RandomFlip(always).apply(tensor, random), tensor.flip({1})));

  ResizeOptions shorter;
  shorter.size = {3};
  CHECK(Resize(shorter).apply(picture, random).sizes() == at::IntArrayRef({3, 3, 4}));  // bilinear: a tensor
  CHECK(Resize(shorter).apply(tensor.transpose(1, 2), random).sizes() == at::IntArrayRef({3, 4, 3}));
  // Nearest-neighbour halving of 2x2 blocks of one level gives those levels; bilinear keeps a flat
  // picture flat and averages (antialiased) a fine checkerboard to its mean.
  const at::Tensor levels = at::arange(16, at::kByte).mul(9).view({4, 4, 1});
  ResizeOptions half;
  half.size = {4, 4};
  half.interpolation = "nearest";
  CHECK(at::equal(Resize(half).apply(levels.repeat_interleave(2, 0).repeat_interleave(2, 1), random), levels));
  half.interpolation = "bilinear";
  CHECK(at::allclose(Resize(half).apply(at::full({8, 8, 3}, 77, at::kByte), random), at::full({3, 4, 4}, 77 / 255.0f)));
  const at::Tensor checks = (at::arange(8).view({8, 1}) + at::arange(8).view({1, 8})).remainder(2).to(at::kFloat).view({1, 8, 8});
  CHECK(at::allclose(Resize(half).apply(checks, random).narrow(1, 1, 2).narrow(2, 1, 2), at::full({1, 2, 2}, 0.5f), 0, 1e-5));

  RandomResizedCropOptions rrc;
  rrc.size = {5, 5};
  for (std::uint64_t s = 0; s < 50; ++s) {
    SampleRandom r(s);
    const auto w = RandomResizedCrop(rrc).window(40, 60, r);
    CHECK(w.top >= 0);
    CHECK(w.left >= 0);
    CHECK(w.top + w.height <= 40);
    CHECK(w.left + w.width <= 60);
    const double area = static_cast<double>(w.height * w.width) / (40.0 * 60.0);
    CHECK(area >= 0.07);
    const double ratio = static_cast<double>(w.width) / static_cast<double>(w.height);
    CHECK(ratio >= 0.7);
    CHECK(ratio <= 1.4);
  }
  CHECK(RandomResizedCrop(rrc).apply(picture, random).sizes() == at::IntArrayRef({3, 5, 5}));

  NormalizeOptions no;
  no.mean = {0.5, 0.5, 0.5};
  no.std = {0.25, 0.5, 1.0};
  const at::Tensor normed = Normalize(no).apply(tensor, random);
  CHECK(normed[0][1][1].item<float>() == doctest::Approx((tensor[0][1][1].item<float>() - 0.5) / 0.25));
  CHECK(error_of([&] { Normalize(no).apply(picture, random); }) ==
        "normalize takes a tensor; put to_tensor before it in the pipeline");

  // Brightness alone multiplies by a factor in [0.5, 1.5]; hue alone keeps grey pixels grey and
  // turns pure red by the drawn shift.
  ColorJitterOptions bright;
  bright.brightness = 0.5;
  const at::Tensor dim = at::full({3, 2, 2}, 0.4f);
  const float v = ColorJitter(bright).apply(dim, random)[0][0][0].item<float>();
  CHECK(v >= 0.2f - 1e-6f);
  CHECK(v <= 0.6f + 1e-6f);
  ColorJitterOptions hue;
  hue.hue = 0.5;
  CHECK(at::allclose(ColorJitter(hue).apply(dim, random), dim));
  at::Tensor red = at::zeros({3, 1, 1});
  red[0].fill_(1.0);
  SampleRandom a(11), b(11);
  b.integer(0, 3), b.integer(0, 2), b.integer(0, 1);  // the order draws come first
  const double shift = b.uniform(-0.5, 0.5);
  const at::Tensor turned = ColorJitter(hue).apply(red, a);
  const double h = shift < 0 ? shift + 1 : shift;  // red is hue 0
  const double expected_green = h < 1.0 / 6 ? 6 * h : h < 0.5 ? 1 : h < 4.0 / 6 ? 4 - 6 * h : 0;
  CHECK(turned[1][0][0].item<float>() == doctest::Approx(expected_green).epsilon(1e-4));
}
