#pragma once
/// Error types. Each carries a complete one-line message; the host prints what() and exits non-zero.
#include <stdexcept>
#include <string>

#include "razor/export.h"

namespace razor {

/// Base of every razor error.
class RAZOR_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what);
  ~Error() override;
};

/// A fault in a config: the message starts with "file:line:col: ". The host exits with code 2.
class RAZOR_API ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what);
  ~ConfigError() override;
};

/// A plugin that cannot be loaded or a component that cannot be built.
class RAZOR_API PluginError : public Error {
 public:
  explicit PluginError(const std::string& what);
  ~PluginError() override;
};

/// Missing, truncated or malformed data files.
class RAZOR_API DataError : public Error {
 public:
  explicit DataError(const std::string& what);
  ~DataError() override;
};

}  // namespace razor
