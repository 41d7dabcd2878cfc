#include "run/text_file.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {

void write_text_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << text) || !out.flush()) throw Error(fmt::format("{}: cannot write", path));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(fmt::format("{}: cannot write: {}", path, ec.message()));
}

}  // namespace razor::host
