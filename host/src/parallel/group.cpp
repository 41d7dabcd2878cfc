#include "parallel/group.h"

#include <cstdlib>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "razor/errors.h"

namespace razor::host {

// c10d's process groups share their collectives' signatures but not a base class across LibTorch
// versions (ProcessGroup in 1.13, Backend in 2.x), hence the template.
struct Group::Impl {
  virtual ~Impl() = default;
  virtual c10::intrusive_ptr<c10d::Work> all_reduce(std::vector<at::Tensor>& t) = 0;
  virtual c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, int root) = 0;
  virtual c10::intrusive_ptr<c10d::Work> all_gather(std::vector<std::vector<at::Tensor>>& out,
                                                    std::vector<at::Tensor>& in) = 0;
  virtual c10::intrusive_ptr<c10d::Work> barrier() = 0;
  c10::intrusive_ptr<c10d::Store> store;
  c10::Device device{c10::kCPU};
};

namespace {

template <class PG>
struct ImplOf final : Group::Impl {
  c10::intrusive_ptr<PG> pg;
  c10::intrusive_ptr<c10d::Work> all_reduce(std::vector<at::Tensor>& t) override { return pg->allreduce(t); }
  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, int root) override {
    c10d::BroadcastOptions o;
    o.rootRank = root;
    return pg->broadcast(t, o);
  }
  c10::intrusive_ptr<c10d::Work> all_gather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) override {
    return pg->allgather(out, in);
  }
  c10::intrusive_ptr<c10d::Work> barrier() override { return pg->barrier(); }
};

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

bool backend_available(const std::string& backend) {
#ifdef USE_C10D_NCCL
  if (backend == "nccl") return true;
#endif
  return backend == "gloo";
}

Group::Group(const World& world, const std::string& backend, std::chrono::milliseconds timeout,
             std::chrono::milliseconds rendezvous)
    : world_(world) {
  if (backend != "gloo" && backend != "nccl")
    throw Error(fmt::format("distributed backend '{}': expected gloo or nccl", backend));
  if (!backend_available(backend))
    throw Error(fmt::format("distributed backend '{}': this LibTorch build has none (a CPU-only build); use gloo", backend));
  std::unique_ptr<Impl> impl;
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = world.master_port;
    store_options.isServer = world.rank == 0 && !world.store_elsewhere;
    store_options.numWorkers = static_cast<std::size_t>(world.size);
    store_options.waitWorkers = true;
    store_options.timeout = rendezvous.count() > 0 ? rendezvous : timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, store_options);
    if (backend == "gloo") {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      if (is_loopback(world.master_addr)) {
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      } else if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      } else {
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      options->threads = 2;  // the C++ constructor leaves it uninitialised; Python uses 2 per device
      auto gloo = std::make_unique<ImplOf<c10d::ProcessGroupGloo>>();
      gloo->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, world.rank, world.size, options);
      impl = std::move(gloo);
    } else {
#ifdef USE_C10D_NCCL
      if (!at::hasCUDA()) throw Error("distributed backend 'nccl' needs a CUDA device; use gloo on CPU");
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto nccl = std::make_unique<ImplOf<c10d::ProcessGroupNCCL>>();
      nccl->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, world.rank, world.size, options);
      nccl->device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(world.local_rank));
      impl = std::move(nccl);
#endif
    }
    impl->store = store;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(fmt::format("rank {}: cannot join the process group at {}:{} ({} ranks, {}): {}", world.rank,
                            world.master_addr, world.master_port, world.size, backend, first_line(e.what())));
  }
  impl_ = std::move(impl);
}

Group::~Group() = default;

c10::Device Group::device() const { return impl_->device; }

namespace {

void wait(const c10::intrusive_ptr<c10d::Work>& work, int rank, const char* what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw Error(fmt::format("rank {}: {} failed (another rank stopped or did not answer in time): {}", rank, what,
                            first_line(e.what())));
  }
}

template <class F>
c10::intrusive_ptr<c10d::Work> start(F&& f, int rank, const char* what) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw Error(fmt::format("rank {}: {} failed: {}", rank, what, first_line(e.what())));
  }
}

}  // namespace

void Group::all_reduce_sum(std::vector<at::Tensor>& tensors) {
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (auto& t : tensors) {
    std::vector<at::Tensor> one{t};
    works.push_back(start([&] { return impl_->all_reduce(one); }, rank(), "all-reduce"));
  }
  for (auto& w : works) wait(w, rank(), "all-reduce");
}

void Group::broadcast(std::vector<at::Tensor>& tensors, int root) {
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (auto& t : tensors) {
    std::vector<at::Tensor> one{t};
    works.push_back(start([&] { return impl_->broadcast(one, root); }, rank(), "broadcast"));
  }
  for (auto& w : works) wait(w, rank(), "broadcast");
}

std::vector<double> Group::all_gather(double value) {
  std::vector<at::Tensor> in{at::full({1}, value, at::TensorOptions().dtype(at::kDouble).device(device()))};
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < size(); ++r) out[0].push_back(at::empty_like(in[0]));
  wait(start([&] { return impl_->all_gather(out, in); }, rank(), "all-gather"), rank(), "all-gather");
  std::vector<double> values;
  for (const auto& t : out[0]) values.push_back(t.cpu().item<double>());
  return values;
}

void Group::barrier() { wait(start([&] { return impl_->barrier(); }, rank(), "barrier"), rank(), "barrier"); }

}  // namespace razor::host
