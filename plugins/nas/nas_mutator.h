#pragma once
// mutator/nas: the one mutator of every one-shot NAS algorithm. It finds the model's mutables, makes
// one search group per custom group, alias or module path, and samples, sets or fixes subnets.
#include <random>
#include <string>
#include <vector>

#include "razor/context.h"
#include "razor/mutable.h"
#include "razor/mutator.h"

namespace razor::nas {

struct NasMutatorOptions : Options<NasMutatorOptions> {
  RAZOR_OPTION(Table, groups, "custom search groups: name = [module paths]; the listed mutables share one choice",
               "{}");
};

class NasMutator final : public Mutator {
 public:
  using Options = NasMutatorOptions;
  NasMutator(const BuildContext& ctx, const Options& options);
  void prepare(Model& supernet) override;
  const std::vector<SearchGroup>& groups() const override;
  Subnet sample(SampleKind kind) override;
  void set(const Subnet& subnet) override;
  Subnet current() const override;
  void fix(const Subnet& subnet) override;
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  struct Member {
    std::string path;
    Mutable* mutable_;  // owned by the model, which outlives the mutator's use of it
  };
  /// Where a group's key comes from; two sources reaching one key would merge unrelated mutables.
  enum class KeySource { custom, alias, path };
  static const char* text(KeySource source);
  void check_prepared() const;
  /// Every mutable of an alias must land in one group, or "same alias => same choice" breaks.
  void check_aliases_unsplit() const;
  /// The members of each group, checked against `subnet`: every key known, none missing, choices valid.
  void check(const Subnet& subnet) const;

  std::shared_ptr<const ConfigView> custom_;  // [groups]: name -> module paths
  std::mt19937_64 rng_;
  bool prepared_ = false;
  bool fixed_ = false;  // fix() ran: the model is static, nothing is left to choose
  std::vector<SearchGroup> groups_;
  std::vector<std::vector<Member>> members_;  // parallel to groups_
  std::vector<KeySource> sources_;            // parallel to groups_
};

}  // namespace razor::nas
