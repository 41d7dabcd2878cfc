// distill_loss components of the kd_losses plugin, built from TOML through the host's registry: exact
// values against Python references, invariants (zero on equal inputs, linear in loss_weight, tau^2
// scaling, teacher_detach), one-line ConfigErrors naming the key, one-line shape errors.
//
// Expected values come from /usr/bin/python3 (torch 1.13, float32), `import torch.nn.functional as F`,
// the tensors below written out the same way, and these short reference definitions:
//   kl(s,t,tau,red)  = tau**2 * F.kl_div(F.log_softmax(s/tau,1), F.softmax(t/tau,1), reduction=red)
//   cwd(s,t,tau)     = tau**2 * (pt*(F.log_softmax(t2/tau,1) - F.log_softmax(s2/tau,1))).sum() / (N*C),
//                      s2, t2 = s.reshape(-1,H*W), t.reshape(-1,H*W); pt = F.softmax(t2/tau,1)
//   l2(s,t,...)      = ((n(s)-n(t))**2).sum() / N  (n: flatten per sample, / row norm * mult; or numel, or sqrt)
//   dkd(s,t,y,...)   = tau**2 * (alpha*F.kl_div(log b(ps), b(pt)) + beta*F.kl_div(F.log_softmax(s/tau-1000*gt,1),
//                      F.softmax(t/tau-1000*gt,1))), b(p) = stack([p[gt], p[~gt].view(N,-1).sum(1)],1), gt = one_hot(y)
//   at(s,t)          = (a(s)-a(t)).pow(2).mean(), a(x) = F.normalize(x.pow(2).mean(1).reshape(N,-1))
//   rkd_d(s,t)       = 25 * F.smooth_l1_loss(d(s)/mean(d(s)>0), d(t)/...), d = torch.cdist after F.normalize
//   rkd_a(s,t)       = 50 * F.smooth_l1_loss(ang(s), ang(t)), ang(x) = bmm(e, e^T).flatten(),
//                      e = F.normalize(x[None]-x[:,None], dim=2)
//   wsld(s,t,y,tau)  = tau**2 * (w*ce).mean(), ce = -(F.softmax(t/tau,1)*F.log_softmax(s/tau,1)).sum(1),
//                      w = 1-exp(-clamp(F.cross_entropy(s,y,'none')/(F.cross_entropy(t,y,'none')+1e-7), min=0))
//   dist(s,t,tau,a,b)= tau**2 * (a*(1-pear(ys,yt).mean()) + b*(1-pear(ys.t(),yt.t()).mean())), y = softmax(./tau),
//                      pear = cosine of row-centred rows with +1e-8 in the denominator
//   kdce(s,t,tau)    = tau**2 * (-(F.softmax(t/tau,-1)*F.log_softmax(s/tau,-1)).sum(-1)).mean()
//   pkd(s,t)         = F.mse_loss(z(s), z(t)) / 2, z = per channel (x-mean)/(std+1e-6) over N*H*W,
//                      after F.interpolate(..., mode='bilinear') to the other's H, W
// The same numbers were also cross-checked against MMRazor's own loss classes.
#include "razor_doctest.hpp"

#include <cmath>
#include <limits>

#include <ATen/ATen.h>

#include "config/config_loader.h"
#include "config/toml_config_view.h"
#include "loader/host_context.h"
#include "loader/loaded_plugin.h"
#include "loader/registry.h"
#include "razor/distill_loss.h"
#include "razor/errors.h"
#include "razor/plugin.h"
#include "base/logging.h"
#include "test_support.hpp"

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

using namespace razor;

namespace {

// Builds `[loss]` + `toml` the way razor-host builds a nested component: registry lookup by `type`,
// options bound to the declared ones, the plugin's factory.
std::shared_ptr<DistillLoss> build(const std::string& toml) {
  static test::TempDir dir("kd_losses");
  static host::Registry registry = [] {
    host::Registry r;
    r.add(std::make_shared<host::LoadedPlugin>(host::LoadedPlugin{"(test)", RAZOR_PLUGIN_ENTRY(), nullptr}));
    return r;
  }();
  static host::RunSettings settings{c10::Device(c10::kCPU), 0, host::make_logger()};
  auto doc = host::load_config(dir.write("kd.toml", "[loss]\n" + toml), {});
  auto root = std::make_shared<const host::TomlConfigView>(doc);
  host::HostContext ctx(registry, root, settings);
  return ctx.build<DistillLoss>(*root->table("loss"));
}

double value(const std::string& toml, const std::vector<at::Tensor>& args) {
  return build(toml)->forward(args).item<double>();
}

at::Tensor from(std::vector<float> v, at::IntArrayRef shape) { return at::tensor(v).reshape(shape); }

// S, T: [3, 4] logits; Y: labels; FS, FT: [2, 3, 2, 2] maps; FT5: 5 channels; FT44: 4x4 maps;
// RS [4, 3], RT [4, 5]: feature vectors of different sizes.
const at::Tensor S = from({1.0, 2.0, 0.5, -1.0, 0.3, -0.2, 1.5, 0.0, -0.5, 0.8, 0.1, 2.0}, {3, 4});
const at::Tensor T = from({2.0, 1.0, 0.0, -0.5, 0.1, 0.4, 2.5, -1.0, 0.0, 0.5, -0.3, 1.2}, {3, 4});
const at::Tensor Y = at::tensor(std::vector<std::int64_t>{1, 2, 3});
const at::Tensor FS = at::sin(at::arange(24, at::kFloat) * 0.7).view({2, 3, 2, 2});
const at::Tensor FT = at::cos(at::arange(24, at::kFloat) * 0.3).view({2, 3, 2, 2});
const at::Tensor FT5 = at::cos(at::arange(40, at::kFloat) * 0.3).view({2, 5, 2, 2});
const at::Tensor FT44 = at::cos(at::arange(96, at::kFloat) * 0.3).view({2, 3, 4, 4});
const at::Tensor RS = at::sin(at::arange(12, at::kFloat) * 0.9).view({4, 3});
const at::Tensor RT = at::cos(at::arange(20, at::kFloat) * 0.4).view({4, 5});

doctest::Approx near(double expected) { return doctest::Approx(expected).epsilon(1e-5); }

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos; }

// The ConfigError message of building `toml`, or "(no error)".
std::string config_error(const std::string& toml) {
  try {
    build(toml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the plugin registers its losses as distill_loss, each with its argument names") {
  const PluginDescriptor& d = *RAZOR_PLUGIN_ENTRY();
  CHECK(std::string(d.name) == "distill");
  std::size_t losses = 0;
  for (std::size_t i = 0; i < d.num_components; ++i) losses += std::string(d.components[i].kind) == "distill_loss";
  CHECK(losses == 12);
  const std::vector<std::string> pair{"preds_S", "preds_T"}, with_labels{"preds_S", "preds_T", "gt_labels"};
  for (const char* type : {"kl_divergence", "channel_wise_divergence", "l2", "l1", "attention_transfer", "pkd", "dist",
                           "kd_soft_ce", "distance_wise_rkd", "angle_wise_rkd"}) {
    CAPTURE(type);
    CHECK(build(std::string("type = '") + type + "'\n")->arguments() == pair);
  }
  CHECK(build("type = 'dkd'\n")->arguments() == with_labels);
  CHECK(build("type = 'distill_loss/wsld'\n")->arguments() == with_labels);
  CHECK(contains(config_error("type = 'kl_divergense'\n"), "did you mean 'kl_divergence'?"));
}

TEST_CASE("kl_divergence: exact values; zero on equal inputs; linear in loss_weight; tau^2 scaling") {
  CHECK(value("type = 'kl_divergence'\n", {S, T}) == near(0.214034021));               // kl(S,T,1,'batchmean')
  CHECK(value("type = 'kl_divergence'\ntau = 4.0\n", {S, T}) == near(0.247296736));     // kl(S,T,4,'batchmean')
  CHECK(value("type = 'kl_divergence'\nreduction = 'sum'\n", {S, T}) == near(0.642102063));   // kl(S,T,1,'sum')
  CHECK(value("type = 'kl_divergence'\nreduction = 'mean'\n", {S, T}) == near(0.0535085052));  // kl(S,T,1,'mean')
  CHECK(value("type = 'kl_divergence'\n", {FS, FT}) == near(0.755856216));              // kl(FS,FT): softmax over C
  CHECK(std::abs(value("type = 'kl_divergence'\ntau = 3.0\n", {S, S})) < 1e-6);
  CHECK(value("type = 'kl_divergence'\nloss_weight = 2.5\n", {S, T}) == near(2.5 * 0.214034021));
  CHECK(value("type = 'kl_divergence'\nloss_weight = -1\n", {S, T}) == near(-0.214034021));
  CHECK(value("type = 'kl_divergence'\nloss_weight = 0.0\n", {S, T}) == 0.0);
  // tau^2 scaling: for a large tau, tau^2 * KL tends to sum_i (a_T,i - a_S,i)^2 / (2C) per sample, with a
  // the centred logits (Hinton et al. 2015); without the tau^2 factor it would be 1e6 times smaller.
  const at::Tensor s = S.to(at::kDouble), t = T.to(at::kDouble);
  const at::Tensor diff = (t - t.mean(1, true)) - (s - s.mean(1, true));
  const double limit = (diff.pow(2).sum(1) / (2.0 * 4)).mean().item<double>();
  CHECK(value("type = 'kl_divergence'\ntau = 1000.0\n", {s, t}) == doctest::Approx(limit).epsilon(1e-2));
  CHECK(limit > 0.1);
}

TEST_CASE("teacher_detach: the gradient reaches preds_S only; off, preds_T gets one too") {
  for (const char* type : {"kl_divergence", "dist"}) {
    CAPTURE(type);
    for (const bool detach : {true, false}) {
      const at::Tensor s = S.clone().requires_grad_(true), t = T.clone().requires_grad_(true);
      build(std::string("type = '") + type + "'\ntau = 2.0\nteacher_detach = " + (detach ? "true" : "false") + "\n")
          ->forward({s, t})
          .backward();
      REQUIRE(s.grad().defined());
      CHECK(s.grad().abs().sum().item<double>() > 1e-4);
      CHECK(t.grad().defined() == !detach);
      if (!detach) CHECK(t.grad().abs().sum().item<double>() > 1e-4);
    }
  }
}

TEST_CASE("channel_wise_divergence: exact values, zero on equal inputs, tau^2 and N*C normalisation") {
  CHECK(value("type = 'channel_wise_divergence'\n", {FS, FT}) == near(0.160218656));          // cwd(FS,FT,1)
  CHECK(value("type = 'channel_wise_divergence'\ntau = 2.0\n", {FS, FT}) == near(0.165166333));  // cwd(FS,FT,2)
  CHECK(value("type = 'channel_wise_divergence'\nloss_weight = 5\n", {FS, FT}) == near(5 * 0.160218656));
  CHECK(std::abs(value("type = 'channel_wise_divergence'\ntau = 4.0\n", {FT, FT})) < 1e-6);
  // Repeating the batch leaves the loss as it is (divided by N*C, not summed over samples).
  CHECK(value("type = 'channel_wise_divergence'\n", {at::cat({FS, FS}), at::cat({FT, FT})}) == near(0.160218656));
}

TEST_CASE("l2 (FitNets): normalised by default; raw, per element, distance, mult") {
  CHECK(value("type = 'l2'\n", {FS, FT}) == near(1.51165879));                               // l2(FS,FT)
  CHECK(value("type = 'l2'\nnormalize = false\n", {FS, FT}) == near(9.24820995));            // ((FS-FT)**2).sum()/2
  CHECK(value("type = 'l2'\nnormalize = false\ndiv_element = true\n", {FS, FT}) == near(0.770684183));  // /numel
  CHECK(value("type = 'l2'\ndist = true\n", {FS, FT}) == near(1.73876894));                  // sqrt of the sum
  CHECK(value("type = 'l2'\nmult = 2.0\n", {FS, FT}) == near(6.04663515));                   // 4x the default
  CHECK(value("type = 'l2'\nloss_weight = 10\n", {FS, FT}) == near(15.1165879));
  CHECK(value("type = 'l2'\n", {FS, FS * 3.0}) == doctest::Approx(0.0));  // scale-free when normalised
}

TEST_CASE("l1: mean and sum of absolute differences") {
  CHECK(value("type = 'l1'\n", {FS, FT}) == near(0.682536602));                     // F.l1_loss(FS,FT)
  CHECK(value("type = 'l1'\nreduction = 'sum'\n", {FS, FT}) == near(16.3808784));   // F.l1_loss(FS,FT,reduction='sum')
  CHECK(value("type = 'l1'\nloss_weight = -1.0\n", {FS, FT}) == near(-0.682536602));  // DFAD's generator maximises it
}

TEST_CASE("attention_transfer: exact value; the channel counts may differ") {
  CHECK(value("type = 'attention_transfer'\n", {FS, FT5}) == near(0.0795572102));   // at(FS,FT5)
  CHECK(value("type = 'attention_transfer'\nloss_weight = 1000\n", {FS, FT5}) == near(79.5572102));
  CHECK(std::abs(value("type = 'attention_transfer'\n", {FS, at::cat({FS, -FS}, 1)})) < 1e-7);  // same attention
}

TEST_CASE("pkd: exact values; bilinear resize of the student (or the teacher)") {
  CHECK(value("type = 'pkd'\n", {FS, FT}) == near(0.516895711));                        // pkd(FS,FT)
  CHECK(value("type = 'pkd'\n", {FS, FT44}) == near(0.945805967));                      // FS up to 4x4
  CHECK(value("type = 'pkd'\nresize_stu = false\n", {FS, FT44}) == near(0.861093819));  // FT44 down to 2x2
  CHECK(std::abs(value("type = 'pkd'\n", {FS, FS * 7.0 + 3.0})) < 1e-6);  // invariant to scale and shift
}

TEST_CASE("relational KD: exact values with the reference weights 25 and 50; feature sizes may differ") {
  CHECK(value("type = 'distance_wise_rkd'\n", {RS, RT}) == near(2.2452178));                        // rkd_d
  CHECK(value("type = 'distance_wise_rkd'\nwith_l2_norm = false\n", {RS, RT}) == near(2.4677043));
  CHECK(value("type = 'distance_wise_rkd'\nloss_weight = 1\n", {RS, RT}) == near(2.2452178 / 25));
  CHECK(value("type = 'angle_wise_rkd'\n", {RS, RT}) == near(4.1759553));                           // rkd_a
  CHECK(value("type = 'angle_wise_rkd'\nwith_l2_norm = false\n", {RS, RT}) == near(4.32659721));
  // Relations are invariant to a rotation of the feature space and (distances rescaled) to its scale.
  const at::Tensor rotation = std::get<0>(at::linalg_qr(at::cos(at::arange(9, at::kFloat)).view({3, 3})));
  const at::Tensor moved = at::mm(RS, rotation) * 3.0;
  CHECK(std::abs(value("type = 'distance_wise_rkd'\nwith_l2_norm = false\n", {moved, RS})) < 1e-5);
  CHECK(std::abs(value("type = 'angle_wise_rkd'\nwith_l2_norm = false\n", {moved, RS})) < 1e-5);
  // Maps are flattened per sample.
  CHECK(value("type = 'distance_wise_rkd'\n", {RS.view({4, 3, 1}), RT.view({4, 1, 5})}) == near(2.2452178));
}

TEST_CASE("dkd: exact values; alpha and beta weigh TCKD and NCKD") {
  CHECK(value("type = 'dkd'\n", {S, T, Y}) == near(0.282285631));                                   // dkd(S,T,Y)
  CHECK(value("type = 'dkd'\nbeta = 0.0\n", {S, T, Y}) == near(0.15180774));                        // TCKD only
  CHECK(value("type = 'dkd'\nalpha = 0.0\n", {S, T, Y}) == near(0.130477905));                      // NCKD only
  CHECK(value("type = 'dkd'\ntau = 2.0\nalpha = 0.5\nbeta = 8.0\n", {S, T, Y}) == near(1.32580531));
  CHECK(value("type = 'dkd'\nreduction = 'sum'\n", {S, T, Y}) == near(0.846856952));
  CHECK(std::abs(value("type = 'dkd'\ntau = 2.0\n", {S, S, Y})) < 1e-6);
}

TEST_CASE("wsld, dist, kd_soft_ce: exact values") {
  CHECK(value("type = 'wsld'\n", {S, T, Y}) == near(0.584666908));                  // wsld(S,T,Y,1)
  CHECK(value("type = 'wsld'\ntau = 2.0\n", {S, T, Y}) == near(2.85311484));        // wsld(S,T,Y,2)
  CHECK(value("type = 'wsld'\nloss_weight = 2.5\n", {S, T, Y}) == near(2.5 * 0.584666908));
  CHECK(value("type = 'dist'\n", {S, T}) == near(0.475819468));                     // dist(S,T,1,1,1)
  CHECK(value("type = 'dist'\ntau = 2.0\ninter_loss_weight = 0.5\nintra_loss_weight = 2.0\n", {S, T}) ==
        near(1.69964802));                                                          // dist(S,T,2,0.5,2)
  CHECK(std::abs(value("type = 'dist'\n", {S, S})) < 1e-6);
  CHECK(value("type = 'kd_soft_ce'\n", {S, T}) == near(1.17996502));                        // kdce(S,T,1)
  CHECK(value("type = 'kd_soft_ce'\ntau = 3.0\n", {S, T}) == near(12.2177677));             // kdce(S,T,3)
  CHECK(value("type = 'kd_soft_ce'\ntau = 3.0\nmult_tem_square = false\n", {S, T}) == near(1.35752976));
  CHECK(value("type = 'kd_soft_ce'\nreduction = 'sum'\n", {S, T}) == near(3.53989506));
  // The soft cross-entropy minus the teacher's entropy is the KL divergence (batchmean).
  const at::Tensor p = at::softmax(T, 1);
  const double entropy = -(p * at::log(p)).sum(1).mean().item<double>();
  CHECK(value("type = 'kd_soft_ce'\n", {S, T}) - entropy == near(value("type = 'kl_divergence'\n", {S, T})));
}

TEST_CASE("bad options: one-line ConfigError naming the file and the key") {
  struct Bad {
    const char* toml;
    const char* key;
    const char* says;
  };
  for (const Bad& bad : {
           Bad{"type = 'kl_divergence'\ntau = 0\n", "loss.tau", "must be a finite number > 0, got 0"},
           Bad{"type = 'channel_wise_divergence'\ntau = -1.0\n", "loss.tau", "> 0, got -1"},
           // Non-finite floats are refused as every option's are, before the range check.
           Bad{"type = 'dkd'\ntau = inf\n", "loss.tau", "must be a finite number, got inf"},
           Bad{"type = 'kl_divergence'\nreduction = 'none'\n", "loss.reduction", "'none' is not supported"},
           Bad{"type = 'kl_divergence'\nreduction = 'avg'\n", "loss.reduction",
               "must be one of 'batchmean', 'sum', 'mean', got 'avg'"},
           Bad{"type = 'l1'\nreduction = 'batchmean'\n", "loss.reduction", "must be one of 'mean', 'sum'"},
           Bad{"type = 'dkd'\nbeta = -0.5\n", "loss.beta", ">= 0, got -0.5"},
           Bad{"type = 'dist'\nintra_loss_weight = -1\n", "loss.intra_loss_weight", ">= 0"},
           Bad{"type = 'l2'\nmult = 0.0\n", "loss.mult", "> 0"},
           Bad{"type = 'wsld'\nloss_weight = nan\n", "loss.loss_weight", "must be a finite number"},
           Bad{"type = 'kl_divergence'\ntau = 'hot'\n", "loss.tau", ""},
       }) {
    CAPTURE(bad.toml);
    const std::string message = config_error(bad.toml);
    CHECK(one_line(message));
    CHECK(contains(message, "kd.toml:3:"));
    CHECK(contains(message, std::string(bad.key) + ": "));
    CHECK(contains(message, bad.says));
  }
}

TEST_CASE("shape problems: one-line razor::Error naming the loss and the shapes") {
  const auto error = [](const std::string& toml, const std::vector<at::Tensor>& args) {
    return test::error_of([&] { build(toml)->forward(args); });
  };
  CHECK(error("type = 'kl_divergence'\n", {at::zeros({8, 10}), at::zeros({8, 100})}) ==
        "kl_divergence: preds_S [8, 10] and preds_T [8, 100] differ in shape (a connector can map the student's "
        "features)");
  CHECK(error("type = 'kl_divergence'\n", {at::zeros({8}), at::zeros({8})}) ==
        "kl_divergence: preds_S [8] has rank 1, expected [N, C] or [N, C, ...] (softmax over dim 1)");
  CHECK(error("type = 'channel_wise_divergence'\n", {S, T}) ==
        "channel_wise_divergence: preds_S [3, 4] has rank 2, expected [N, C, H, W] feature maps");
  CHECK(error("type = 'channel_wise_divergence'\n", {FS, FT44}) ==
        "channel_wise_divergence: preds_S [2, 3, 2, 2] and preds_T [2, 3, 4, 4] differ in shape (a connector can map "
        "the student's features)");
  CHECK(error("type = 'dkd'\n", {S, T, Y.narrow(0, 0, 2)}) ==
        "dkd: gt_labels [2] of dtype Long do not fit preds_S [3, 4]: expected int64 class indices of shape [3]");
  CHECK(error("type = 'wsld'\n", {S, T, Y.to(at::kFloat)}) ==
        "wsld: gt_labels [3] of dtype Float do not fit preds_S [3, 4]: expected int64 class indices of shape [3]");
  CHECK(error("type = 'dkd'\n", {S, T, Y + 1}) == "dkd: gt_labels hold 4, outside the 4 classes of preds_S [3, 4]");
  CHECK(error("type = 'dkd'\n", {S, T, Y - 2}) == "dkd: gt_labels hold -1, outside the 4 classes of preds_S [3, 4]");
  CHECK(error("type = 'wsld'\n", {S, T, Y.to(at::Device(at::kMeta))}) == "wsld: gt_labels are on meta, preds_S on cpu");
  CHECK(error("type = 'dkd'\n", {S, T}) == "dkd: got 2 tensors, expected 3 (preds_S, preds_T, gt_labels)");
  CHECK(error("type = 'l1'\n", {S, at::Tensor()}) == "l1: preds_T is an undefined tensor");
  CHECK(error("type = 'attention_transfer'\n", {FS, FT44}) ==
        "attention_transfer: preds_S [2, 3, 2, 2] and preds_T [2, 3, 4, 4] differ in batch or spatial size (channels "
        "may differ)");
  CHECK(error("type = 'pkd'\n", {FS, FT5}) ==
        "pkd: preds_S [2, 3, 2, 2] and preds_T [2, 5, 2, 2] differ in batch size or channels (a connector can map the "
        "student's channels)");
  CHECK(error("type = 'angle_wise_rkd'\n", {RS, RT.narrow(0, 0, 3)}) ==
        "angle_wise_rkd: preds_S [4, 3] and preds_T [3, 5] differ in batch size (feature sizes may differ)");
  CHECK(error("type = 'distance_wise_rkd'\n", {RS.narrow(0, 0, 1), RT.narrow(0, 0, 1)}) ==
        "distance_wise_rkd: needs a batch of at least 2 samples, got [1, 3]");
  CHECK(error("type = 'dist'\n", {FS, FS}) == "dist: preds_S [2, 3, 2, 2] has rank 4, expected [N, C] logits");
  // Every one is a plain razor::Error, not a ConfigError, and a single line.
  CHECK_THROWS_AS(build("type = 'l2'\n")->forward({S, FS}), Error);
  CHECK(one_line(error("type = 'l2'\n", {S, FS})));
}
