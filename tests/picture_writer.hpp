#pragma once
// Picture files for the tests, written by the libraries razor decodes with (libpng's and TurboJPEG's
// encoders): PNG and JPEG bytes from uint8 [H, W, C] tensors. Link PkgConfig::PICTURES.
#include <png.h>
#include <turbojpeg.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include <ATen/ATen.h>

namespace razor::test {

/// A PNG of `pixels` (uint8 [H, W, C], C = 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA); `sixteen_bit`
/// writes 16 bits per channel instead.
inline std::string png_bytes(const at::Tensor& pixels, bool sixteen_bit = false) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.height = static_cast<png_uint_32>(pixels.size(0));
  image.width = static_cast<png_uint_32>(pixels.size(1));
  const auto c = pixels.size(2);
  image.format = (c >= 3 ? PNG_FORMAT_FLAG_COLOR : 0) | (c % 2 == 0 ? PNG_FORMAT_FLAG_ALPHA : 0) |
                 (sixteen_bit ? PNG_FORMAT_FLAG_LINEAR : 0);
  at::Tensor data = sixteen_bit ? pixels.to(at::kInt).mul(257).to(at::kShort).contiguous() : pixels.contiguous();
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, data.data_ptr(), 0, nullptr))
    throw std::runtime_error(image.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, data.data_ptr(), 0, nullptr))
    throw std::runtime_error(image.message);
  out.resize(size);
  return out;
}

/// A baseline JPEG of `pixels` (uint8 [H, W, 1 or 3]) at `quality`, without chroma subsampling.
inline std::string jpeg_bytes(const at::Tensor& pixels, int quality = 100) {
  tjhandle tj = tjInitCompress();
  const at::Tensor data = pixels.contiguous();
  const bool grey = pixels.size(2) == 1;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(tj, data.data_ptr<std::uint8_t>(), static_cast<int>(pixels.size(1)), 0,
                             static_cast<int>(pixels.size(0)), grey ? TJPF_GRAY : TJPF_RGB, &buffer, &size,
                             grey ? TJSAMP_GRAY : TJSAMP_444, quality, 0);
  std::string out = rc == 0 ? std::string(reinterpret_cast<char*>(buffer), size) : std::string();
  tjFree(buffer);
  tjDestroy(tj);
  if (rc != 0) throw std::runtime_error("tjCompress2 failed");
  return out;
}

}  // namespace razor::test
