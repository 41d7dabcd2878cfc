#pragma once
// Group: this process's membership in a c10d process group (Gloo on CPU, NCCL on CUDA when the
// LibTorch build has it), with the few collectives razor uses. A failed collective (a peer stopped,
// a timeout) throws razor::Error naming this rank and the operation.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "parallel/world.h"

namespace razor::host {

/// Whether this LibTorch build has `backend` ("gloo" always; "nccl" in CUDA builds).
bool backend_available(const std::string& backend);

class Group {
 public:
  /// Meets the other ranks at world.master_addr:master_port (rank 0 hosts the TCP store). `backend`:
  /// "gloo" or "nccl"; an unknown one, or one this LibTorch build lacks, throws razor::Error.
  /// `timeout` bounds every collective, and the rendezvous unless `rendezvous` is given.
  Group(const World& world, const std::string& backend, std::chrono::milliseconds timeout,
        std::chrono::milliseconds rendezvous = std::chrono::milliseconds(0));
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const { return world_.rank; }
  int size() const { return world_.size; }
  const World& world() const { return world_; }
  /// Where collective tensors must live: CPU for Gloo, this rank's GPU for NCCL.
  c10::Device device() const;

  /// Sums each tensor over all ranks, in place (the tensors are reduced concurrently).
  void all_reduce_sum(std::vector<at::Tensor>& tensors);
  /// Copies rank `root`'s tensors into every rank's, in place.
  void broadcast(std::vector<at::Tensor>& tensors, int root = 0);
  /// Every rank's value, indexed by rank.
  std::vector<double> all_gather(double value);
  void barrier();

  struct Impl;  // the c10d objects, kept out of this header

 private:
  World world_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace razor::host
