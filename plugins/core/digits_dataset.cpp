#include "digits_dataset.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "gzip_reader.h"
#include "razor/errors.h"

// Generated from host/data/digits/digits.csv.gz (see host/CMakeLists.txt).
extern const unsigned char razor_embedded_digits_gz[];
extern const std::size_t razor_embedded_digits_gz_size;

namespace razor::core {

namespace {

constexpr int kPixels = 64;
constexpr int kColumns = kPixels + 1;
constexpr const char* kEmbeddedName = "embedded digits.csv.gz";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// An integral value: "7", "7.0" and "7.000000e+00" (numpy.savetxt's default) all read as 7.
bool parse_integral(std::string_view field, long& value) {
  const char* first = field.data();
  const char* last = field.data() + field.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec == std::errc() && end == last && first != last) return true;
  double d = 0;
  auto [dend, dec] = std::from_chars(first, last, d);
  if (dec != std::errc() || dend != last || first == last || !std::isfinite(d) || d != std::floor(d) ||
      std::fabs(d) > 1e9)
    return false;
  value = static_cast<long>(d);
  return true;
}

}  // namespace

LabelledImages parse_digits_csv(const std::string& text, const std::string& name) {
  std::vector<float> pixels;
  std::vector<std::int64_t> labels;
  pixels.reserve(2000 * kPixels);
  labels.reserve(2000);

  std::size_t line_start = 0;
  std::size_t line_number = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string_view line = trim(std::string_view(text).substr(line_start, line_end - line_start));
    line_start = line_end + 1;
    ++line_number;
    if (line.empty()) continue;

    const auto where = [&] { return fmt::format("{}:{}: ", name, line_number); };
    std::size_t count = 1;
    for (char c : line) count += c == ',';
    if (count != kColumns) throw DataError(fmt::format("{}expected {} values, got {}", where(), kColumns, count));

    std::size_t field_start = 0;
    for (int column = 1; column <= kColumns; ++column) {
      std::size_t field_end = line.find(',', field_start);
      if (field_end == std::string_view::npos) field_end = line.size();
      const std::string_view field = trim(line.substr(field_start, field_end - field_start));
      field_start = field_end + 1;
      long value = 0;
      if (!parse_integral(field, value))
        throw DataError(fmt::format("{}column {}: expected an integer, got '{}'", where(), column, field));
      if (column <= kPixels) {
        if (value < 0 || value > 16)
          throw DataError(fmt::format("{}column {}: pixel value {} is out of range 0..16", where(), column, value));
        pixels.push_back(static_cast<float>(value) / 16.0f);
      } else {
        if (value < 0 || value > 9)
          throw DataError(fmt::format("{}column {}: label {} is out of range 0..9", where(), column, value));
        labels.push_back(value);
      }
    }
  }
  if (labels.empty()) throw DataError(name + ": no data rows");

  const auto n = static_cast<std::int64_t>(labels.size());
  LabelledImages out;
  out.images = at::empty({n, 1, 8, 8}, at::kFloat);
  std::copy(pixels.begin(), pixels.end(), out.images.data_ptr<float>());
  out.labels = at::empty({n}, at::kLong);
  std::copy(labels.begin(), labels.end(), out.labels.data_ptr<std::int64_t>());
  return out;
}

std::string embedded_digits_csv() {
  return gunzip(razor_embedded_digits_gz, razor_embedded_digits_gz_size, kEmbeddedName);
}

DigitsDataset::DigitsDataset(const std::string& path)
    : path_(path),
      data_(path.empty() ? parse_digits_csv(embedded_digits_csv(), kEmbeddedName)
                         : parse_digits_csv(read_file_bytes(path), path)) {}

DigitsDataset::DigitsDataset(const BuildContext&, const Options& options) : DigitsDataset(options.path) {}

LabelledImages DigitsDataset::load(Split split) const {
  if (split != Split::train) throw DataError(describe() + ": has no " + split_name(split) + " split");
  return {data_.images.clone(), data_.labels.clone()};
}

std::string DigitsDataset::describe() const {
  return fmt::format("digits ({}, {} images 1x8x8, 10 classes)", path_.empty() ? "embedded" : path_,
                     data_.labels.size(0));
}

}  // namespace razor::core
