#include "parallel/world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "razor/errors.h"

namespace razor::host {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::optional<std::string>(v) : std::nullopt;
}

std::string required(const char* name) {
  auto v = env(name);
  if (!v || v->empty()) throw Error(fmt::format("environment: WORLD_SIZE is set but {} is not", name));
  return *v;
}

long integer(const char* name, const std::string& text, long lo, long hi, const std::string& range) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    throw Error(fmt::format("environment: {}='{}': expected an integer {}", name, text, range));
  return v;
}

}  // namespace

std::optional<World> world_from_env() {
  const auto size_text = env("WORLD_SIZE");
  if (!size_text) return std::nullopt;
  World w;
  w.size = static_cast<int>(integer("WORLD_SIZE", *size_text, 1, 65536, "from 1 to 65536"));
  const std::string hi = std::to_string(w.size - 1);
  w.rank = static_cast<int>(integer("RANK", required("RANK"), 0, w.size - 1, "from 0 to WORLD_SIZE-1 = " + hi));
  w.master_addr = required("MASTER_ADDR");
  w.master_port = static_cast<std::uint16_t>(integer("MASTER_PORT", required("MASTER_PORT"), 1, 65535, "from 1 to 65535"));
  if (const auto local = env("LOCAL_WORLD_SIZE"))
    w.local_size = static_cast<int>(integer("LOCAL_WORLD_SIZE", *local, 1, w.size, "from 1 to WORLD_SIZE = " + std::to_string(w.size)));
  if (const auto local = env("LOCAL_RANK"))
    w.local_rank = static_cast<int>(integer("LOCAL_RANK", *local, 0, w.size - 1, "from 0 to WORLD_SIZE-1 = " + hi));
  if (const auto agent = env("TORCHELASTIC_USE_AGENT_STORE")) w.store_elsewhere = *agent == "True" || *agent == "1";
  return w;
}

std::uint16_t free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw Error("cannot find a free TCP port on 127.0.0.1");
  return ntohs(addr.sin_port);
}

}  // namespace razor::host
