#pragma once
/// ConfigView: a read-only view of one TOML table, implemented by the host so that plugins never see
/// TOML++ types. A component's view is bound to the options it declared in its plugin descriptor:
/// a missing key falls back to the declared default, a key without a default is required, and reading
/// an undeclared key is a plugin bug (PluginError). Keys nobody read are reported to the user as typos.
///
/// Example: auto epochs = cfg.get<std::int64_t>("epochs");
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "razor/export.h"

namespace razor {

class RAZOR_API ConfigView {
 public:
  virtual ~ConfigView();

  /// True if the user's config sets the key (declared defaults do not count).
  virtual bool has(const std::string& key) const = 0;
  /// Keys the user's config sets in this table, in file order.
  virtual std::vector<std::string> keys() const = 0;

  virtual bool get_bool(const std::string& key) const = 0;
  virtual std::int64_t get_int(const std::string& key) const = 0;
  /// Accepts integers too (1 reads as 1.0).
  virtual double get_double(const std::string& key) const = 0;
  virtual std::string get_string(const std::string& key) const = 0;
  virtual std::vector<std::int64_t> get_int_list(const std::string& key) const = 0;
  virtual std::vector<double> get_double_list(const std::string& key) const = 0;
  virtual std::vector<std::string> get_string_list(const std::string& key) const = 0;
  /// A nested table (for example a nested component with its own `type`).
  virtual std::shared_ptr<const ConfigView> table(const std::string& key) const = 0;
  /// An array of tables (`key = [{ type = "a" }, { type = "b" }]`), e.g. a list of nested components;
  /// element i's path is "key[i]".
  virtual std::vector<std::shared_ptr<const ConfigView>> table_list(const std::string& key) const = 0;

  /// Dotted path of this table from the config root, e.g. "algorithm.architecture" ("" for the root).
  virtual std::string path() const = 0;
  /// "file:line:col" of a key's value (of the table itself when key is empty or absent).
  virtual std::string where(const std::string& key = "") const = 0;
  /// The config file whose text sets `key` (an `extends` base, say); "" when a --set override or a
  /// default gives it.
  virtual std::string file_of(const std::string& key) const;
  /// Throws ConfigError "file:line:col: path.key: message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  /// A file path the option `key` holds, resolved as `extends` is: relative to the folder of the
  /// config file that sets it (to the working directory for --set); absolute and empty paths as
  /// they are.
  std::string resolve_path(const std::string& key, const std::string& value) const;

  template <class T>
  T get(const std::string& key) const;
};

template <> inline bool ConfigView::get<bool>(const std::string& k) const { return get_bool(k); }
template <> inline std::int64_t ConfigView::get<std::int64_t>(const std::string& k) const { return get_int(k); }
template <> inline double ConfigView::get<double>(const std::string& k) const { return get_double(k); }
template <> inline std::string ConfigView::get<std::string>(const std::string& k) const { return get_string(k); }
template <>
inline std::vector<std::int64_t> ConfigView::get<std::vector<std::int64_t>>(const std::string& k) const {
  return get_int_list(k);
}
template <>
inline std::vector<double> ConfigView::get<std::vector<double>>(const std::string& k) const {
  return get_double_list(k);
}
template <>
inline std::vector<std::string> ConfigView::get<std::vector<std::string>>(const std::string& k) const {
  return get_string_list(k);
}

}  // namespace razor
