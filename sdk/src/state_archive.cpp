// Text, random generators and candidates in LibTorch archives: stored as uint8 tensors of text.
#include <sstream>

#include <fmt/format.h>

#include <ATen/ATen.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "razor/errors.h"
#include "razor/state_archive.h"

namespace razor {

void write_text(torch::serialize::OutputArchive& archive, const std::string& key, const std::string& text) {
  auto bytes = at::empty({static_cast<std::int64_t>(text.size())}, at::kByte);
  std::copy(text.begin(), text.end(), bytes.data_ptr<std::uint8_t>());
  archive.write(key, bytes, /*is_buffer=*/true);
}

std::string read_text(torch::serialize::InputArchive& archive, const std::string& key) {
  at::Tensor bytes;
  if (!archive.try_read(key, bytes, /*is_buffer=*/true)) throw Error("state archive: missing entry '" + key + "'");
  bytes = bytes.contiguous().to(at::kByte);
  const auto* p = bytes.data_ptr<std::uint8_t>();
  return std::string(p, p + bytes.numel());
}

void write_rng(torch::serialize::OutputArchive& archive, const std::string& key, const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  write_text(archive, key, out.str());
}

void read_rng(torch::serialize::InputArchive& archive, const std::string& key, std::mt19937_64& rng) {
  std::istringstream in(read_text(archive, key));
  in >> rng;
  if (!in) throw Error("state archive: entry '" + key + "' is not a random generator state");
}

namespace {

// One candidate per line: score, costs, subnet split by \x1f; pairs split by \x1e, key from value by
// \x1d (characters no key or choice contains). Numbers with 17 digits read back to the same double.
template <class Map>
std::string pairs_text(const Map& m) {
  std::string out;
  for (const auto& [k, v] : m) out += k + '\x1d' + v + '\x1e';
  return out;
}

Subnet parse_pairs(const std::string& text, const std::string& key) {
  Subnet m;
  std::stringstream in(text);
  for (std::string pair; std::getline(in, pair, '\x1e');) {
    const auto at = pair.find('\x1d');
    if (at == std::string::npos) throw Error("state archive: entry '" + key + "' is not a list of candidates");
    m[pair.substr(0, at)] = pair.substr(at + 1);
  }
  return m;
}

}  // namespace

void write_candidates(torch::serialize::OutputArchive& archive, const std::string& key,
                      const std::vector<Candidate>& candidates) {
  std::string text;
  for (const auto& c : candidates) {
    std::map<std::string, std::string> costs;
    for (const auto& [name, v] : c.costs) costs[name] = fmt::format("{:.17g}", v);
    text += fmt::format("{:.17g}\x1f{}\x1f{}\n", c.score, pairs_text(costs), pairs_text(c.subnet));
  }
  write_text(archive, key, text);
}

std::vector<Candidate> read_candidates(torch::serialize::InputArchive& archive, const std::string& key) {
  std::vector<Candidate> candidates;
  std::stringstream in(read_text(archive, key));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string x; std::getline(fields, x, '\x1f');) f.push_back(x);
    while (f.size() < 3) f.emplace_back();  // empty costs or subnet
    Candidate c;
    try {
      c.score = std::stod(f[0]);
      for (const auto& [name, v] : parse_pairs(f[1], key)) c.costs[name] = std::stod(v);
    } catch (const std::logic_error&) {
      throw Error("state archive: entry '" + key + "' is not a list of candidates");
    }
    c.subnet = parse_pairs(f[2], key);
    candidates.push_back(std::move(c));
  }
  return candidates;
}

}  // namespace razor
