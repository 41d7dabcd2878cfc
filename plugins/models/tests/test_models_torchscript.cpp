// TorchScript export of every zoo network: the exported module's forward (eval mode) matches the
// LibTorch forward, for the SPOS supernet both with a chosen subnet and after fixing it.
#include "razor_doctest.hpp"

#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/script.h>

#include "mobilenet_v2.h"
#include "razor/errors.h"
#include "razor/torchscript_export.h"
#include "resnet.h"
#include "shufflenet_v2.h"
#include "spos_shufflenet.h"
#include "test_support.hpp"

using namespace razor::models;

namespace {

// A few training-mode passes, so that BN running statistics are not the trivial 0 and 1.
void warm_up(razor::Model& net, const std::vector<std::int64_t>& shape) {
  net.train();
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 3; ++i) net.forward(at::randn(shape) * 2 + 0.5);
  net.eval();
}

double export_error(razor::Model& net, const at::Tensor& x) {
  torch::NoGradGuard no_grad;
  const at::Tensor expected = net.forward(x);
  torch::jit::Module scripted = razor::to_torchscript(net);
  scripted.eval();
  const at::Tensor got = scripted.forward({x}).toTensor();
  REQUIRE(got.sizes() == expected.sizes());
  return (got - expected).abs().max().item<double>();
}

}  // namespace

TEST_CASE("zoo networks export to TorchScript with the same eval-mode output") {
  at::manual_seed(0);
  for (auto shape : {std::vector<std::int64_t>{2, 1, 8, 8}, {2, 1, 28, 28}}) {
    CAPTURE(shape);
    const at::Tensor x = at::randn(shape);
    ResNet resnet(ResNetOptions().blocks({2, 1, 1}));  // identity and projection shortcuts
    MobileNetV2 mobilenet;                              // with and without expansion and residual
    ShuffleNetV2 shufflenet;                            // split and two-branch units
    for (razor::Model* net : std::initializer_list<razor::Model*>{resnet.get(), mobilenet.get(), shufflenet.get()}) {
      warm_up(*net, shape);
      CHECK(export_error(*net, x) <= 1e-5);
    }
  }
}

TEST_CASE("the SPOS supernet exports its chosen subnet, before and after fixing") {
  at::manual_seed(1);
  SposShuffleNet net(SposShuffleNetOptions().stem_stride(2).stem_pool(true).widths({16, 32}).repeats({3, 2})
                         .strides({1, 2}));
  const std::vector<std::string> candidates = net->options.candidates();
  std::vector<std::string> path;
  for (std::size_t i = 0; i < net->blocks->size(); ++i) {
    path.push_back(candidates[(i + 1) % candidates.size()]);
    net->block(i).set_choice(path.back());
  }
  warm_up(*net, {4, 1, 32, 32});
  const at::Tensor x = at::randn({2, 1, 32, 32});
  CHECK(export_error(*net, x) <= 1e-5);

  for (std::size_t i = 0; i < path.size(); ++i) net->block(i).fix(path[i]);
  CHECK(export_error(*net, x) <= 1e-5);

  // Written to a file and loaded back, it still runs the same subnet.
  razor::test::TempDir dir("zoo_torchscript");
  razor::save_torchscript(*net, dir.file("subnet.pt"));
  torch::jit::Module loaded = torch::jit::load(dir.file("subnet.pt"));
  torch::NoGradGuard no_grad;
  CHECK((loaded.forward({x}).toTensor() - net->forward(x)).abs().max().item<double>() <= 1e-5);

  // Without a choice a block is no single network: the exporter refuses it.
  SposShuffleNet unchosen;
  CHECK_THROWS_AS(razor::to_torchscript(*unchosen), razor::Error);
}
