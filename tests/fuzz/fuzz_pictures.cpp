// picture: one file's bytes as the image_folder and file_list data sets decode them (TurboJPEG, libpng).
// A decoded picture must be uint8 [H, W, C] with C in 1..4 and the header's size, and convert to 1 and
// 3 channels; a refusal must name the file.
#include <cstdio>
#include <cstdlib>

#include <ATen/ATen.h>

#include "fuzz_target.h"
#include "images/picture_decoder.h"
#include "picture_writer.hpp"
#include "razor/errors.h"

namespace razor::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "razor_fuzz: a decoded picture breaks its contract: %s\n", what);
    std::abort();
  }
}

void run_picture(const std::string& bytes) {
  const std::string name = "fuzzed.jpg";
  try {
    const core::PictureHeader header = core::read_picture_header(bytes, name);
    const at::Tensor p = core::decode_picture(bytes, name);
    require(p.scalar_type() == at::kByte && p.dim() == 3, "uint8 [H, W, C]");
    require(p.size(0) == header.height && p.size(1) == header.width, "the header's size");
    require(p.size(2) >= 1 && p.size(2) <= 4, "1 to 4 channels");
    require(core::convert_channels(p, 1).size(2) == 1 && core::convert_channels(p, 3).size(2) == 3, "conversions");
  } catch (const DataError& e) {
    require_names(e.what(), name);
    throw;
  }
}

at::Tensor pattern(std::int64_t h, std::int64_t w, std::int64_t c) {
  return at::arange(h * w * c, at::kInt).remainder(251).to(at::kByte).view({h, w, c});
}

std::vector<Seed> picture_seeds() {
  return {{"png_rgb", test::png_bytes(pattern(5, 4, 3))},      {"png_grey_alpha", test::png_bytes(pattern(3, 3, 2))},
          {"png_rgba", test::png_bytes(pattern(2, 6, 4))},     {"jpeg_rgb", test::jpeg_bytes(pattern(9, 7, 3), 80)},
          {"jpeg_grey", test::jpeg_bytes(pattern(8, 8, 1), 90)}};
}

}  // namespace

const FuzzTarget& picture_target() {
  static const FuzzTarget t{"picture", "one JPEG or PNG file, as the picture data sets decode it", &run_picture,
                            &picture_seeds};
  return t;
}

}  // namespace razor::fuzz
