#pragma once
// Where this process stands in a multi-process run, read from the variables torchrun and cluster
// schedulers set: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK (and LOCAL_WORLD_SIZE).
#include <cstdint>
#include <optional>
#include <string>

namespace razor::host {

struct World {
  int rank = 0, size = 1;
  int local_rank = 0, local_size = 1;  // among the processes of this machine
  std::string master_addr;             // host of rank 0's rendezvous store
  std::uint16_t master_port = 0;
  bool store_elsewhere = false;  // the launcher hosts the store (torchrun's TORCHELASTIC_USE_AGENT_STORE)
};

/// The world the environment describes, or nullopt when WORLD_SIZE is unset (a single process).
/// Throws razor::Error naming the variable that is missing or malformed.
std::optional<World> world_from_env();

/// A TCP port on the loopback interface that was free a moment ago (for a local rendezvous).
std::uint16_t free_local_port();

}  // namespace razor::host
