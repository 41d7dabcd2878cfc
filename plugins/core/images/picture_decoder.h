#pragma once
// Picture files (JPEG through libjpeg-turbo's TurboJPEG, PNG through libpng) decoded into uint8
// [H, W, C] tensors, and converted to the channels a data set asks for, as PIL's convert() does.
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

namespace razor::core {

struct PictureHeader {
  std::int64_t height = 0, width = 0;
  const char* format = "";  // "JPEG" or "PNG"
};

/// The size of a picture from the start of its file (the header; a prefix of the file will do).
/// Throws DataError "<name>: <fault>" for a file that is not a JPEG or PNG picture, a damaged header,
/// a CMYK JPEG or a 16-bit PNG (both refused by name).
PictureHeader read_picture_header(const std::string& bytes, const std::string& name);

/// The whole picture with the channels its file stores (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA;
/// palettes expanded). Throws DataError naming the file for a truncated or undecodable picture.
at::Tensor decode_picture(const std::string& bytes, const std::string& name);

/// `picture` ([H, W, C] uint8) with `channels` (1 or 3): alpha dropped, grey repeated into RGB, RGB
/// to grey by ITU-R 601-2 luma (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, PIL's formula).
at::Tensor convert_channels(const at::Tensor& picture, std::int64_t channels);

}  // namespace razor::core
