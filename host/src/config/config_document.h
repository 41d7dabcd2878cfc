#pragma once
// ConfigDocument: one composed config (extends merged, --set applied) plus the bookkeeping that lets
// razor report keys nobody read.
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace razor::host {

struct ConfigDocument {
  std::string file;    // the config the user named
  toml::table root;    // composed tree; every node keeps the source position it came from
  std::set<const toml::node*> read;                          // values some component read
  std::map<const toml::table*, std::vector<std::string>> known;  // options declared for a table
  // Options that other components of the table's kind declare (a key of another type, not a typo).
  std::map<const toml::table*, std::vector<std::string>> elsewhere;
  std::deque<toml::table> defaults;  // parsed declared defaults (stable addresses)
};

/// "file:line:col" of a node, or "--set key=value" for command-line overrides.
std::string where_of(const toml::node& node, const std::string& fallback);

/// The TOML name of a node's type, as users read it ("integer", "string", "table", ...).
std::string type_name(const toml::node& node);

}  // namespace razor::host
