#pragma once
// TomlConfigView: the host's implementation of razor::ConfigView over a table of a ConfigDocument.
#include <memory>
#include <string>
#include <vector>

#include "config/config_document.h"
#include "razor/config.h"
#include "razor/plugin.h"

namespace razor::host {

class TomlConfigView final : public ConfigView {
 public:
  /// A view of the document root.
  explicit TomlConfigView(std::shared_ptr<ConfigDocument> doc);
  TomlConfigView(std::shared_ptr<ConfigDocument> doc, const toml::table* table, std::string path);

  /// The same table bound to the options a component or host section declared; `owner` names it
  /// in messages ("model/resnet", "host section [train]").
  std::shared_ptr<TomlConfigView> bind(const std::vector<OptionInfo>* options, std::string owner) const;

  bool has(const std::string& key) const override;
  std::vector<std::string> keys() const override;
  bool get_bool(const std::string& key) const override;
  std::int64_t get_int(const std::string& key) const override;
  double get_double(const std::string& key) const override;
  std::string get_string(const std::string& key) const override;
  std::vector<std::int64_t> get_int_list(const std::string& key) const override;
  std::vector<double> get_double_list(const std::string& key) const override;
  std::vector<std::string> get_string_list(const std::string& key) const override;
  std::shared_ptr<const ConfigView> table(const std::string& key) const override;
  std::vector<std::shared_ptr<const ConfigView>> table_list(const std::string& key) const override;
  std::string path() const override;
  std::string where(const std::string& key = "") const override;
  std::string file_of(const std::string& key) const override;

  const std::shared_ptr<ConfigDocument>& document() const { return doc_; }
  /// The `type` of the declared default of the option this table was read as ("" when none): a
  /// component table that sets no `type` is of this type.
  const std::string& default_type() const { return default_type_; }
  /// Records the options other components of this table's kind declare: such a key left unread is
  /// reported as belonging to another type, not as a typo.
  void note_other_types_options(const std::vector<std::string>& names) const;

 private:
  // The value for `key`, marked as read; the declared default when absent; fails when required.
  const toml::node& node(const std::string& key) const;
  const toml::array& array(const std::string& key, const char* element_type) const;
  [[noreturn]] void wrong_type(const std::string& key, const toml::node& n, const char* expected) const;

  std::shared_ptr<ConfigDocument> doc_;
  const toml::table* table_;
  std::string path_;
  const std::vector<OptionInfo>* options_ = nullptr;
  std::string owner_;
  std::string default_type_;
};

}  // namespace razor::host
