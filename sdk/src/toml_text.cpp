#include "razor/toml_text.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor {

void check_toml_nesting(const std::string& text, const std::string& file) {
  // A small scanner that skips strings and comments and follows where keys are: at the start of a line,
  // inside a [header], and after '{' or ',' inside an inline table; a key's dots nest tables.
  int line = 1, column = 0;
  int header_depth = 0;  // the dots of the last [header]
  int braces = 0;        // open inline tables
  int brackets = 0;      // open arrays and the header's own brackets
  bool in_key = true, in_header = false;
  int key_dots = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (c == '\n') {
      ++line, column = 0;
      if (braces == 0 && brackets == 0) in_key = true, key_dots = 0;
      continue;
    }
    if (c == '#') {  // a comment, to the end of the line
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {  // a string (a quoted key part too): its content is skipped
      const bool multi = text.compare(i, 3, std::string(3, c)) == 0;
      const std::string close = multi ? std::string(3, c) : std::string(1, c);
      std::size_t j = i + close.size();
      while (j < text.size() && text.compare(j, close.size(), close) != 0) {
        if (c == '"' && text[j] == '\\') ++j;  // an escaped character
        if (j < text.size() && text[j] == '\n') ++line, column = 0;
        if (!multi && j < text.size() && text[j] == '\n') break;  // unterminated: the parser says so
        ++j;
      }
      i = std::min(j + close.size() - 1, text.size() - 1);
      continue;
    }
    if (in_key && c == '.') {
      ++key_dots;
      if (header_depth * !in_header + braces + key_dots > kMaxTomlNesting) {
        throw ConfigError(fmt::format("{}:{}:{}: tables nested deeper than {} levels", file, line, column, kMaxTomlNesting));
      }
    } else if (c == '[') {
      if (in_key && brackets == 0 && braces == 0) in_header = true, key_dots = 0;
      ++brackets;
    } else if (c == ']') {
      if (brackets > 0) --brackets;
      if (in_header && brackets == 0) in_header = false, header_depth = key_dots, in_key = false;
    } else if (c == '{') {
      ++braces, in_key = true, key_dots = 0;
    } else if (c == '}') {
      if (braces > 0) --braces;
      in_key = false;
    } else if (c == ',' && braces > 0) {
      in_key = true, key_dots = 0;
    } else if (c == '=') {
      in_key = false;
    }
  }
}

std::string read_toml_text(const std::string& file, std::int64_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw ConfigError(fmt::format("{}: {}", file, std::filesystem::exists(file, ec) ? "not a regular file" : "no such file"));
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw ConfigError(fmt::format("{}: cannot read: {}", file, ec.message()));
  if (static_cast<std::int64_t>(size) > max_bytes) {
    throw ConfigError(fmt::format("{}: {} bytes, more than the {} a TOML file may have", file, size, max_bytes));
  }
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw ConfigError(fmt::format("{}: cannot read", file));
  check_toml_nesting(text, file);
  return text;
}

}  // namespace razor
