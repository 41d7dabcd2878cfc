// The non-template parts of razor/options.h: TOML text of defaults, check messages, the recorder.
#include "razor/options.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace razor::detail {

std::string toml_value(bool v) { return v ? "true" : "false"; }
std::string toml_value(std::int64_t v) { return std::to_string(v); }

// The shortest text that reads back as v, in TOML's spelling and Python's choice of notation:
// "0.1", "1.0" (never "1"), "0.0005", "1e-8", "1e+16".
std::string toml_value(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[400];
  const auto sci_end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
  const std::string sci(buf, sci_end);
  const auto e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  if (exponent >= -4 && exponent < 16) {
    const auto end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed).ptr;
    std::string text(buf, end);
    if (text.find('.') == std::string::npos) text += ".0";
    return text;
  }
  return sci.substr(0, e) + (exponent < 0 ? "e-" : "e+") + std::to_string(std::abs(exponent));
}

std::string toml_value(const std::string& v) {
  // A literal string unless the text holds a quote or a control character.
  bool literal = v.find('\'') == std::string::npos;
  for (const char c : v) literal = literal && static_cast<unsigned char>(c) >= 0x20;
  if (literal) return "'" + v + "'";
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(v));
  return toml_value(v);
}

std::string alternatives(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

void fail_non_finite(const ConfigView& cfg, const std::string& key, double v) {
  cfg.fail(key, fmt::format("must be a finite number, got {}", v));
}

OptionSpecs*& recording() {
  thread_local OptionSpecs* current = nullptr;
  return current;
}

}  // namespace razor::detail
