// read_toml_text: the bound on table nesting toml++ would follow by recursion (header dots, inline tables
// and dotted keys together), without counting dots that nest nothing (numbers, strings, comments).
#include <string>

#include "razor/errors.h"
#include "razor/toml_text.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

namespace {

std::string dotted(int levels) {  // a.a.a... with `levels` - 1 dots
  std::string key = "a";
  for (int i = 1; i < levels; ++i) key += ".a";
  return key;
}

std::string fault(const std::string& text) {
  return razor::test::error_of([&] { razor::check_toml_nesting(text, "t.toml"); });
}

}  // namespace

TEST_CASE("TOML nesting: 256 levels below the root pass, 257 are refused at the dot that goes too deep") {
  const int limit = razor::kMaxTomlNesting;
  CHECK(fault("[" + dotted(limit + 1) + "]\n") == "(no error)");  // 256 dots
  CHECK(fault("[" + dotted(limit + 2) + "]\n") == "t.toml:1:" + std::to_string(2 * (limit + 1) + 1) +
                                                      ": tables nested deeper than 256 levels");
  // A header's dots and its keys' add up (199 + 57 = 256); each open inline table counts one.
  CHECK(fault("[" + dotted(200) + "]\n" + dotted(58) + " = 1\n") == "(no error)");
  CHECK(fault("[" + dotted(200) + "]\n" + dotted(59) + " = 1\n").rfind("t.toml:2:", 0) == 0);
  CHECK(fault("x = {" + dotted(limit) + " = 1}\n") == "(no error)");
  CHECK(fault("x = {" + dotted(limit + 1) + " = 1}\n").rfind("t.toml:1:", 0) == 0);
  CHECK(fault("x = {y = {" + dotted(limit) + " = 1}}\n").rfind("t.toml:1:", 0) == 0);
  // Dots that nest nothing: values, strings (quoted keys too), comments, arrays of numbers.
  std::string floats = "x = [";
  for (int i = 0; i < 1000; ++i) floats += "1.5, ";
  CHECK(fault(floats + "2.5]\n") == "(no error)");
  CHECK(fault("s = '" + dotted(1000) + "'\n\"" + dotted(1000) + "\" = 1\n# " + dotted(1000) + "\n") == "(no error)");
  CHECK(fault("m = \"\"\"\n" + dotted(1000) + "\n\"\"\"\nn = '''" + dotted(1000) + "'''\n") == "(no error)");
  CHECK(fault("[[a.b]]\nc.d = {e.f = 1.0, g.h = 'i.j'}\n") == "(no error)");
}

TEST_CASE("read_toml_text refuses what is not a regular file") {
  razor::test::TempDir dir("toml_text");
  CHECK(razor::test::error_of([&] { razor::read_toml_text(dir.path.string()); }) == dir.path.string() + ": not a regular file");
  CHECK(razor::test::error_of([&] { razor::read_toml_text(dir.file("none.toml")); }) == dir.file("none.toml") + ": no such file");
  const std::string big = dir.write("big.toml", std::string(100, '#'));
  CHECK(razor::test::error_of([&] { razor::read_toml_text(big, 64); }) == big + ": 100 bytes, more than the 64 a TOML file may have");
  CHECK(razor::read_toml_text(dir.write("ok.toml", "a.b = 1\n")) == "a.b = 1\n");
}
