// Data-parallel pieces on real c10d Gloo process groups, one rank per thread on loopback: collectives,
// gradient averaging with unused parameters, stop agreement, buffer sync, the divergence check,
// sharded batches, and the environment a rank reads.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <thread>

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>

#include "parallel/gradient_sync.h"
#include "transforms/random_crop.h"
#include "transforms/random_flip.h"
#include "parallel/group.h"
#include "parallel/model_sync.h"
#include "parallel/world.h"
#include "razor/errors.h"
#include "session/batch_loader.h"
#include "razor_doctest.hpp"

using namespace razor::host;

namespace {

// Runs body(group) for every rank of a `size`-rank group, each on its own thread; returns each rank's
// error ("" when none). Assertions stay on the test's thread: the bodies record what they see.
std::vector<std::string> in_world(int size, const std::function<void(Group&)>& body,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const std::uint16_t port = free_local_port();
  std::vector<std::string> errors(static_cast<std::size_t>(size));
  std::vector<std::thread> threads;
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      try {
        World w;
        w.rank = w.local_rank = r;
        w.size = w.local_size = size;
        w.master_addr = "127.0.0.1";
        w.master_port = port;
        Group group(w, "gloo", timeout, std::chrono::seconds(60));  // a slow start (sanitizers) is no fault
        body(group);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

void check_no_errors(const std::vector<std::string>& errors) {
  for (std::size_t r = 0; r < errors.size(); ++r) {
    INFO("rank " << r);
    CHECK(errors[r] == "");
  }
}

// Three parameters: `a` every rank uses, `b` only rank 0 uses, `c` no rank uses.
struct Three : torch::nn::Module {
  Three() {
    a = register_parameter("a", at::zeros({2, 3}));
    b = register_parameter("b", at::zeros({4}));
    c = register_parameter("c", at::zeros({5}));
  }
  at::Tensor a, b, c;
};

}  // namespace

TEST_CASE("collectives: sum, broadcast, gather over three ranks") {
  std::vector<at::Tensor> sums(3), broadcasts(3);
  std::vector<std::vector<double>> gathered(3);
  check_no_errors(in_world(3, [&](Group& g) {
    std::vector<at::Tensor> t{at::full({2}, g.rank() + 1.0)};
    g.all_reduce_sum(t);
    sums[static_cast<std::size_t>(g.rank())] = t[0];
    std::vector<at::Tensor> b{at::full({3}, 10.0 * (g.rank() + 1))};
    g.broadcast(b, 2);
    broadcasts[static_cast<std::size_t>(g.rank())] = b[0];
    gathered[static_cast<std::size_t>(g.rank())] = g.all_gather(g.rank() * 1.5);
    g.barrier();
  }));
  for (int r = 0; r < 3; ++r) {
    CHECK(sums[r].equal(at::full({2}, 6.0)));
    CHECK(broadcasts[r].equal(at::full({3}, 30.0)));
    CHECK(gathered[r] == std::vector<double>{0.0, 1.5, 3.0});
  }
}

TEST_CASE("gradient sync averages, zero-fills unused parameters and leaves globally unused ones alone") {
  for (std::int64_t bucket_bytes : {std::int64_t{1} << 20, std::int64_t{4}}) {  // one bucket; one per parameter
    CAPTURE(bucket_bytes);
    std::vector<at::Tensor> a(2), b(2);
    std::vector<bool> c_defined(2, true);
    std::vector<std::size_t> buckets(2);
    check_no_errors(in_world(2, [&](Group& g) {
      Three m;
      const auto r = static_cast<std::size_t>(g.rank());
      m.a.mutable_grad() = at::full({2, 3}, g.rank() + 1.0);
      if (g.rank() == 0) m.b.mutable_grad() = at::full({4}, 4.0);
      GradientSync sync(g, m.parameters(), bucket_bytes);
      buckets[r] = sync.buckets();
      CHECK(sync.reduce(0) == 0);
      a[r] = m.a.grad().clone();
      b[r] = m.b.grad().clone();
      c_defined[r] = m.c.grad().defined();
    }));
    for (int r = 0; r < 2; ++r) {
      CHECK(a[r].equal(at::full({2, 3}, 1.5)));  // (1 + 2) / 2
      CHECK(b[r].equal(at::full({4}, 2.0)));     // (4 + 0) / 2: the mean of the global batch's loss
      CHECK_FALSE(c_defined[r]);                 // as in one process: the optimizer leaves it alone
      CHECK(buckets[r] == (bucket_bytes == 4 ? 3u : 1u));
    }
  }
}

TEST_CASE("ranks agree on a stop request: SIGINT wins, then SIGTERM") {
  std::vector<int> with_grads(3), without(3);
  check_no_errors(in_world(3, [&](Group& g) {
    Three m;
    m.a.mutable_grad() = at::ones({2, 3});
    GradientSync sync(g, m.parameters(), 1 << 20);
    const int mine = g.rank() == 1 ? SIGTERM : g.rank() == 2 ? SIGINT : 0;
    with_grads[static_cast<std::size_t>(g.rank())] = sync.reduce(mine);
    without[static_cast<std::size_t>(g.rank())] = agree_on_stop(g, g.rank() == 2 ? SIGTERM : 0);
  }));
  CHECK(with_grads == std::vector<int>{SIGINT, SIGINT, SIGINT});
  CHECK(without == std::vector<int>{SIGTERM, SIGTERM, SIGTERM});
}

TEST_CASE("a data-parallel step on half batches gives the single-process gradient of the whole batch") {
  at::manual_seed(3);
  const at::Tensor x = at::randn({8, 5}), y = at::randint(0, 3, {8});
  torch::nn::Linear single(5, 3);
  at::cross_entropy_loss(single->forward(x), y).backward();
  std::vector<std::vector<at::Tensor>> grads(2);
  check_no_errors(in_world(2, [&](Group& g) {
    torch::nn::Linear local(5, 3);
    broadcast_module(g, *local);  // rank 0's initial weights everywhere
    {
      c10::NoGradGuard no_grad;
      for (std::size_t i = 0; i < local->parameters().size(); ++i) local->parameters()[i].copy_(single->parameters()[i]);
    }
    const auto half = x.narrow(0, 4 * g.rank(), 4);
    at::cross_entropy_loss(local->forward(half), y.narrow(0, 4 * g.rank(), 4)).backward();
    GradientSync(g, local->parameters(), 1 << 20).reduce(0);
    for (const auto& p : local->parameters()) grads[static_cast<std::size_t>(g.rank())].push_back(p.grad().clone());
  }));
  for (int r = 0; r < 2; ++r)
    for (std::size_t i = 0; i < grads[r].size(); ++i) CHECK(at::allclose(grads[r][i], single->parameters()[i].grad(), 1e-6, 1e-7));
}

TEST_CASE("model sync: rank 0's start, averaged or copied statistics, and the divergence check") {
  std::vector<at::Tensor> weights(2), averaged(2), copied(2);
  std::vector<std::string> agree(2), differ(2);
  check_no_errors(in_world(2, [&](Group& g) {
    const auto r = static_cast<std::size_t>(g.rank());
    torch::nn::BatchNorm1d bn(3);
    {
      c10::NoGradGuard no_grad;
      bn->weight.fill_(g.rank() + 2.0);
      bn->running_mean.fill_(g.rank() == 0 ? 1.0 : 3.0);
    }
    broadcast_module(g, *bn);
    weights[r] = bn->weight.clone();
    try {
      check_ranks_agree(g, *bn, "epoch 1");
    } catch (const razor::Error& e) {
      agree[r] = e.what();
    }
    {
      c10::NoGradGuard no_grad;
      bn->running_mean.fill_(g.rank() == 0 ? 1.0 : 3.0);
    }
    sync_buffers(g, *bn, BufferSync::average);
    averaged[r] = bn->running_mean.clone();
    {
      c10::NoGradGuard no_grad;
      bn->running_mean.fill_(g.rank() == 0 ? 1.0 : 3.0);
    }
    sync_buffers(g, *bn, BufferSync::rank0);
    copied[r] = bn->running_mean.clone();
    {
      c10::NoGradGuard no_grad;
      if (g.rank() == 1) bn->bias.add_(1e-3);
    }
    try {
      check_ranks_agree(g, *bn, "epoch 2");
    } catch (const razor::Error& e) {
      differ[r] = e.what();
    }
  }));
  for (int r = 0; r < 2; ++r) {
    CHECK(weights[r].equal(at::full({3}, 2.0)));
    CHECK(agree[r] == "");
    CHECK(averaged[r].equal(at::full({3}, 2.0)));
    CHECK(copied[r].equal(at::full({3}, 1.0)));
    CHECK(differ[r].rfind("epoch 2: the ranks' models differ: rank 1's parameters are not rank 0's", 0) == 0);
  }
  CHECK(parse_buffer_sync("average") == BufferSync::average);
  CHECK_THROWS_WITH_AS(parse_buffer_sync("sync"), "expected rank0 or average, got 'sync'", razor::Error);
}

TEST_CASE("a rank that never answers fails the collective after the timeout, naming the rank") {
  std::vector<std::string> errors = in_world(
      2,
      [](Group& g) {
        if (g.rank() == 1) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5000));  // alive, but silent
          return;
        }
        std::vector<at::Tensor> t{at::ones({1})};
        g.all_reduce_sum(t);
      },
      std::chrono::milliseconds(2000));
  CHECK(errors[0].rfind("rank 0: all-reduce failed (another rank stopped or did not answer in time): ", 0) == 0);
  CHECK(errors[1] == "");
}

TEST_CASE("backends: gloo here; a missing one is a clear error") {
  CHECK(backend_available("gloo"));
  World w;
  w.master_addr = "127.0.0.1";
  w.master_port = free_local_port();
  CHECK_THROWS_WITH_AS(Group(w, "mpi", std::chrono::seconds(1)), "distributed backend 'mpi': expected gloo or nccl",
                       razor::Error);
#ifndef USE_C10D_NCCL
  CHECK_FALSE(backend_available("nccl"));
  CHECK_THROWS_WITH_AS(Group(w, "nccl", std::chrono::seconds(1)),
                       "distributed backend 'nccl': this LibTorch build has none (a CPU-only build); use gloo", razor::Error);
#endif
}

TEST_CASE("a sharded training loader gives each rank its rows of the very batch one process sees") {
  const std::int64_t n = 40;
  razor::LabelledImages data{at::arange(n * 16, at::kFloat).view({n, 1, 4, 4}), at::arange(n, at::kLong)};
  razor::core::RandomCropOptions crop;
  crop.padding = 1;
  LoaderSettings aug;
  aug.pipeline = {std::make_shared<razor::core::RandomCrop>(crop),
                  std::make_shared<razor::core::RandomFlip>(razor::core::RandomFlipOptions{})};
  BatchLoader whole(data, 6, true, 7, aug);
  for (int world : {2, 3}) {
    std::vector<std::unique_ptr<BatchLoader>> shards;
    for (int r = 0; r < world; ++r) {
      shards.push_back(std::make_unique<BatchLoader>(data, 6, true, 7, aug));
      shards.back()->shard(r, world);
    }
    for (std::int64_t epoch : {0, 1}) {
      for (std::int64_t i = 0; i < whole.batches_per_epoch(); ++i) {
        std::vector<at::Tensor> images, labels;
        for (auto& s : shards) {
          CHECK(s->batches_per_epoch() == whole.batches_per_epoch());
          auto b = s->batch(epoch, i);
          images.push_back(b.inputs);
          labels.push_back(b.targets);
        }
        const auto b = whole.batch(epoch, i);
        CHECK(at::cat(images).equal(b.inputs));  // crops and flips included
        CHECK(at::cat(labels).equal(b.targets));
      }
    }
  }
  BatchLoader odd(data, 8, true, 7, aug);
  CHECK_THROWS_WITH_AS(odd.shard(0, 3),
                       "batch size 8 does not split evenly over 3 processes: the batch size is the global one, make it a "
                       "multiple of the process count",
                       razor::Error);
}

TEST_CASE("the environment of a rank: torchrun's variables, each fault named") {
  const char* names[] = {"WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK", "LOCAL_WORLD_SIZE"};
  const auto set = [&](std::vector<const char*> values) {
    for (std::size_t i = 0; i < 6; ++i) {
      if (values[i]) ::setenv(names[i], values[i], 1);
      else ::unsetenv(names[i]);
    }
  };
  set({nullptr, nullptr, nullptr, nullptr, nullptr, nullptr});
  CHECK_FALSE(world_from_env().has_value());
  set({"4", "2", "10.0.0.1", "29500", "0", "2"});
  const auto w = world_from_env();
  REQUIRE(w.has_value());
  CHECK(w->size == 4);
  CHECK(w->rank == 2);
  CHECK(w->master_addr == "10.0.0.1");
  CHECK(w->master_port == 29500);
  CHECK(w->local_rank == 0);
  CHECK(w->local_size == 2);
  set({"2", "x", "h", "1", nullptr, nullptr});
  CHECK_THROWS_WITH_AS(world_from_env(), "environment: RANK='x': expected an integer from 0 to WORLD_SIZE-1 = 1", razor::Error);
  set({"2", "2", "h", "1", nullptr, nullptr});
  CHECK_THROWS_WITH_AS(world_from_env(), "environment: RANK='2': expected an integer from 0 to WORLD_SIZE-1 = 1", razor::Error);
  set({"2", "1", nullptr, "1", nullptr, nullptr});
  CHECK_THROWS_WITH_AS(world_from_env(), "environment: WORLD_SIZE is set but MASTER_ADDR is not", razor::Error);
  set({"2", "1", "h", "70000", nullptr, nullptr});
  CHECK_THROWS_WITH_AS(world_from_env(), "environment: MASTER_PORT='70000': expected an integer from 1 to 65535", razor::Error);
  set({"0", "0", "h", "1", nullptr, nullptr});
  CHECK_THROWS_WITH_AS(world_from_env(), "environment: WORLD_SIZE='0': expected an integer from 1 to 65536", razor::Error);
  set({nullptr, nullptr, nullptr, nullptr, nullptr, nullptr});
}
