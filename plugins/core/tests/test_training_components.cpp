// The core family's optimizers and learning-rate schedules, built from TOML through the host's registry
// with the family's compiled-in descriptor, the way razor-host builds [optimizer] and [schedule].
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include "base/logging.h"
#include "config/config_loader.h"
#include "loader/host_context.h"
#include "razor/optimizer.h"
#include "razor/plugin.h"
#include "razor/schedule.h"
#include "razor_doctest.hpp"
#include "test_support.hpp"

extern "C" const razor::PluginDescriptor* RAZOR_PLUGIN_ENTRY();

using namespace razor;

namespace {

template <class T>
std::shared_ptr<T> build(const std::string& section, const std::string& toml) {
  static test::TempDir dir("core_training");
  static host::Registry registry = [] {
    host::Registry r;
    r.add(std::make_shared<host::LoadedPlugin>(host::LoadedPlugin{"(test)", RAZOR_PLUGIN_ENTRY(), nullptr}));
    return r;
  }();
  static host::RunSettings settings{c10::Device(c10::kCPU), 0, host::make_logger()};
  auto doc = host::load_config(dir.write("t.toml", "[" + section + "]\n" + toml), {});
  auto root = std::make_shared<const host::TomlConfigView>(doc);
  return host::HostContext(registry, root, settings).build<T>(*root->table(section));
}

std::shared_ptr<Schedule> schedule(const std::string& toml) { return build<Schedule>("schedule", toml); }
std::shared_ptr<razor::Optimizer> optimizer(const std::string& toml) { return build<razor::Optimizer>("optimizer", toml); }

}  // namespace

TEST_CASE("learning-rate schedules give the formula's values") {
  const ScheduleSpan span{0.1, 10, 100};  // 10 steps per epoch, 10 epochs
  auto cosine = schedule("type = 'cosine'\nmin_lr = 0.0\n");
  CHECK(cosine->at(0, span) == doctest::Approx(0.1));
  CHECK(cosine->at(50, span) == doctest::Approx(0.05));
  CHECK(cosine->at(100, span) == doctest::Approx(0.0));
  auto floor = schedule("type = 'cosine'\nmin_lr = 0.02\n");
  CHECK(floor->at(50, span) == doctest::Approx(0.02 + 0.5 * 0.08));
  auto step = schedule("type = 'step'\nmilestones = [3, 6]\ngamma = 0.5\n");
  const ScheduleSpan one{1.0, 10, 100};
  CHECK(step->at(29, one) == doctest::Approx(1.0));
  CHECK(step->at(30, one) == doctest::Approx(0.5));
  CHECK(step->at(60, one) == doctest::Approx(0.25));
  auto warm = schedule("type = 'constant'\nwarmup_epochs = 0.5\nwarmup_start_factor = 0.2\n");
  CHECK(warm->at(0, one) == doctest::Approx(0.2));
  CHECK(warm->at(2, one) == doctest::Approx(0.2 + 0.8 * 2 / 5));
  CHECK(warm->at(5, one) == doctest::Approx(1.0));
  // The warm-up scales what the schedule gives: cosine at step 2 of a 5-step warm-up.
  auto warm_cosine = schedule("type = 'cosine'\nwarmup_epochs = 0.5\n");
  CHECK(warm_cosine->at(2, one) == doctest::Approx((0.1 + 0.9 * 2 / 5) * 0.5 * (1 + std::cos(M_PI * 0.02))));
}

TEST_CASE("optimizers: the LibTorch optimizer with the configured hyper-parameters") {
  const std::vector<at::Tensor> params{at::zeros({3}, at::requires_grad())};
  auto sgd = optimizer("type = 'sgd'\nlr = 0.05\nmomentum = 0.8\nnesterov = true\nweight_decay = 0.001\n");
  CHECK(sgd->lr() == 0.05);
  auto made = sgd->create(params);
  const auto& o = static_cast<const torch::optim::SGDOptions&>(made->param_groups()[0].options());
  CHECK(o.lr() == 0.05);
  CHECK(o.momentum() == 0.8);
  CHECK(o.nesterov());
  CHECK(o.weight_decay() == 0.001);

  auto adam = optimizer("type = 'adam'\nlr = 0.001\nbetas = [0.8, 0.99]\neps = 1e-6\n")->create(params);
  const auto& a = static_cast<const torch::optim::AdamOptions&>(adam->param_groups()[0].options());
  CHECK(std::get<0>(a.betas()) == 0.8);
  CHECK(std::get<1>(a.betas()) == 0.99);
  CHECK(a.eps() == 1e-6);
  CHECK(a.weight_decay() == 0.0005);  // the declared default
  CHECK(dynamic_cast<torch::optim::AdamW*>(optimizer("type = 'adamw'\n")->create(params).get()) != nullptr);
}

TEST_CASE("optimizers and schedules refuse bad values, naming the key") {
  CHECK(test::error_of([] { optimizer("type = 'sgd'\nlr = 0\n"); }).find("optimizer.lr: must be positive") !=
        std::string::npos);
  CHECK(test::error_of([] { optimizer("type = 'sgd'\nmomentum = 0.0\nnesterov = true\n"); })
            .find("optimizer.nesterov: needs momentum > 0") != std::string::npos);
  CHECK(test::error_of([] { optimizer("type = 'adam'\nbetas = [0.9]\n"); })
            .find("optimizer.betas: expected two numbers, e.g. [0.9, 0.999]") != std::string::npos);
  CHECK(test::error_of([] { optimizer("type = 'sgd'\nlr = nan\n"); }).find("optimizer.lr: must be a finite number") !=
        std::string::npos);
  CHECK(test::error_of([] { schedule("type = 'constant'\nwarmup_epochs = -1\n"); })
            .find("schedule.warmup_epochs: must not be negative") != std::string::npos);
  CHECK(test::error_of([] { schedule("type = 'linear'\n"); }).find("unknown schedule 'linear'") != std::string::npos);
}
