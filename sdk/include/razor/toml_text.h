#pragma once
/// TOML text made safe to parse: toml++ bounds nested arrays and inline tables, but not tables nested
/// by dotted keys and headers ([a.a.a....]), whose depth it follows by recursion until the stack runs
/// out. Every TOML file razor reads (configs, subnet files) goes through read_toml_text first.
#include <cstdint>
#include <string>

#include "razor/export.h"

namespace razor {

/// The deepest nesting a TOML file may have, counted as the last header's dots + open inline tables +
/// the dots of a key.
inline constexpr int kMaxTomlNesting = 256;

/// The whole text of a TOML file. Throws razor::ConfigError naming the file when it is not a regular
/// file (a FIFO, a device), is larger than `max_bytes`, or nests tables deeper than kMaxTomlNesting
/// ("<file>:<line>:<column>: tables nested deeper than 256 levels").
RAZOR_API std::string read_toml_text(const std::string& file, std::int64_t max_bytes = 64 << 20);

/// The nesting check of read_toml_text on text already read (`file` names it in the message).
RAZOR_API void check_toml_nesting(const std::string& text, const std::string& file);

}  // namespace razor
