#include "images/picture_decoder.h"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::core {
namespace {

bool is_jpeg(const std::string& b) { return b.size() >= 3 && b.compare(0, 3, "\xff\xd8\xff") == 0; }
bool is_png(const std::string& b) { return b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }

[[noreturn]] void not_a_picture(const std::string& bytes, const std::string& name) {
  if (bytes.empty()) throw DataError(name + ": empty file");
  std::string start;
  for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 4); ++i)
    start += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned char>(bytes[i]));
  throw DataError(fmt::format("{}: not a JPEG or PNG picture (the file starts with bytes {})", name, start));
}

// One TurboJPEG decompressor per thread: the handle is not thread-safe, and making one per picture
// costs more than decoding a 32x32 picture. After a failure it is made afresh (a decompressor that
// stopped half-way is not reliably reusable).
struct JpegDecoder {
  tjhandle handle = nullptr;
  ~JpegDecoder() { reset(); }
  void reset() {
    if (handle) tjDestroy(handle);
    handle = nullptr;
  }
  tjhandle get() {
    if (!handle) handle = tjInitDecompress();
    if (!handle) throw DataError("TurboJPEG could not make a decompressor");
    return handle;
  }
};

JpegDecoder& jpeg_decoder() {
  thread_local JpegDecoder decoder;
  return decoder;
}

[[noreturn]] void jpeg_failed(const std::string& name, const char* what) {
  const std::string why = tjGetErrorStr2(jpeg_decoder().handle);
  jpeg_decoder().reset();
  throw DataError(fmt::format("{}: damaged JPEG {} ({})", name, what, why));
}

struct JpegHeader {
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
};

JpegHeader jpeg_header(tjhandle tj, const std::string& bytes, const std::string& name) {
  JpegHeader h;
  if (tjDecompressHeader3(tj, reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<unsigned long>(bytes.size()), &h.width, &h.height, &h.subsampling,
                          &h.colorspace) != 0)
    jpeg_failed(name, "header");
  if (h.width <= 0 || h.height <= 0) throw DataError(name + ": damaged JPEG header (no picture size)");
  if (h.colorspace == TJCS_CMYK || h.colorspace == TJCS_YCCK)
    throw DataError(name + ": CMYK JPEG pictures are not supported; save it as RGB");
  return h;
}

// libpng's simplified reader; frees what it allocated whatever happens.
struct PngReader {
  png_image image;
  PngReader(const std::string& bytes, const std::string& name) {
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    // A throwing constructor runs no destructor: free what libpng holds before each throw.
    if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
      const std::string why = image.message;
      png_image_free(&image);
      throw DataError(fmt::format("{}: damaged PNG header ({})", name, why));
    }
    if (image.format & PNG_FORMAT_FLAG_LINEAR) {
      png_image_free(&image);
      throw DataError(name + ": 16-bit PNG pictures are not supported; save it with 8 bits per channel");
    }
  }
  ~PngReader() { png_image_free(&image); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;
};

// A header can claim any size; a few crafted bytes must not make the decoder allocate gigabytes.
// Refused: more pixels than PIL decodes (its decompression-bomb limit) or than the file could hold
// at its format's best compression (a flat JPEG spends >= 1/256 byte a pixel, deflate >= 1/1032 byte
// a byte, at 1 bit a pixel).
void check_size(std::int64_t h, std::int64_t w, std::size_t bytes, const char* format, const std::string& name) {
  constexpr std::int64_t kMaxPixels = 178956970;
  const std::int64_t per_byte = std::string(format) == "JPEG" ? 2048 : 8 * 1032;
  const std::int64_t most = std::min<std::int64_t>(kMaxPixels, static_cast<std::int64_t>(bytes) * per_byte + (1 << 20));
  if (h * w > most)
    throw DataError(fmt::format("{}: the {} header claims {}x{} pixels, more than {} ({} bytes)", name, format, w, h,
                                most == kMaxPixels ? "razor decodes" : "the file can hold", bytes));
}

}  // namespace

PictureHeader read_picture_header(const std::string& bytes, const std::string& name) {
  if (is_jpeg(bytes)) {
    const JpegHeader h = jpeg_header(jpeg_decoder().get(), bytes, name);
    return {h.height, h.width, "JPEG"};  // the size is checked when the whole file is decoded
  }
  if (is_png(bytes)) {
    const PngReader png(bytes, name);
    return {png.image.height, png.image.width, "PNG"};
  }
  not_a_picture(bytes, name);
}

at::Tensor decode_picture(const std::string& bytes, const std::string& name) {
  if (is_jpeg(bytes)) {
    tjhandle tj = jpeg_decoder().get();
    const JpegHeader h = jpeg_header(tj, bytes, name);
    check_size(h.height, h.width, bytes.size(), "JPEG", name);
    const bool grey = h.colorspace == TJCS_GRAY;
    at::Tensor out = at::empty({h.height, h.width, grey ? 1 : 3}, at::kByte);
    // Warnings (a file cut short: "Premature end of JPEG file") are errors: the rest of such a
    // picture is grey filler, not data.
    if (tjDecompress2(tj, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()),
                      out.data_ptr<std::uint8_t>(), h.width, 0, h.height, grey ? TJPF_GRAY : TJPF_RGB,
                      TJFLAG_STOPONWARNING) != 0)
      jpeg_failed(name, "picture");
    return out;
  }
  if (is_png(bytes)) {
    PngReader png(bytes, name);
    check_size(png.image.height, png.image.width, bytes.size(), "PNG", name);
    // The file's own channels, 8 bits each: palettes expanded (with alpha where they have it).
    png.image.format &= PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA;
    const std::int64_t channels = PNG_IMAGE_SAMPLE_CHANNELS(png.image.format);
    at::Tensor out = at::empty({png.image.height, png.image.width, channels}, at::kByte);
    if (!png_image_finish_read(&png.image, nullptr, out.data_ptr<std::uint8_t>(), 0, nullptr))
      throw DataError(fmt::format("{}: damaged PNG picture ({})", name, png.image.message));
    if (png.image.warning_or_error & PNG_IMAGE_ERROR)
      throw DataError(fmt::format("{}: damaged PNG picture ({})", name, png.image.message));
    return out;
  }
  not_a_picture(bytes, name);
}

at::Tensor convert_channels(const at::Tensor& picture, std::int64_t channels) {
  const std::int64_t have = picture.size(2);
  if (have == channels) return picture;
  if (channels == 3) {
    if (have == 4) return picture.narrow(2, 0, 3).contiguous();
    return picture.narrow(2, 0, 1).expand({-1, -1, 3}).contiguous();  // grey (+ alpha)
  }
  if (have == 2) return picture.narrow(2, 0, 1).contiguous();
  // RGB(A) to luma, in PIL's fixed point.
  const std::int64_t pixels = picture.size(0) * picture.size(1);
  at::Tensor out = at::empty({picture.size(0), picture.size(1), 1}, at::kByte);
  const at::Tensor src = picture.contiguous();
  const std::uint8_t* in = src.data_ptr<std::uint8_t>();
  std::uint8_t* o = out.data_ptr<std::uint8_t>();
  for (std::int64_t p = 0; p < pixels; ++p, in += have)
    o[p] = static_cast<std::uint8_t>((19595u * in[0] + 38470u * in[1] + 7471u * in[2] + 0x8000u) >> 16);
  return out;
}

}  // namespace razor::core
