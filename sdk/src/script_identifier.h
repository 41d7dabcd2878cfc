#pragma once
// Names the TorchScript exports (source and traced) give modules and classes.
#include <cctype>
#include <string>

namespace razor {

/// A TorchScript identifier for a name: Sequential's "0" becomes "_0" (`self.0` does not parse),
/// other characters an identifier cannot hold become '_'.
inline std::string script_identifier(const std::string& name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "_" + id;
  return id;
}

}  // namespace razor
