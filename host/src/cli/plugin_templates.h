#pragma once
// The files `razor-host new-plugin` writes: an out-of-tree plugin project per component kind.
#include <map>
#include <string>
#include <vector>

namespace razor::host {

struct TemplateFile {
  std::string path;  // relative to the project folder; @NAME@ is replaced
  std::string text;  // @NAME@ (snake_case), @CLASS@ (CamelCase) and @KIND@ are replaced
};

/// The kinds a project can be scaffolded for.
const std::vector<std::string>& scaffold_kinds();

/// The project's files for `kind` (one of scaffold_kinds()).
std::vector<TemplateFile> plugin_templates(const std::string& kind);

}  // namespace razor::host
