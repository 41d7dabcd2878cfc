#include "stages/search/search_stage.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "parallel/gradient_sync.h"
#include "razor/errors.h"
#include "razor/state_archive.h"
#include "razor/subnet_file.h"
#include "base/atomic_file.h"
#include "base/logging.h"
#include "base/stop_request.h"
#include "stages/search/pareto_svg.h"
#include "base/metrics_log.h"
#include "base/sealed_file.h"

namespace fs = std::filesystem;

namespace razor::host {
namespace {

// Costs of subnets, measured once each: the current path of the supernet is what a sliced subnet runs.
// A latency table adds latency_ms, its prediction for the subnet.
class CostTable final : public SearchContext {
 public:
  CostTable(Mutator& mutator, Algorithm& algorithm, Estimator* estimator, const LatencyTable* latency,
            std::vector<std::int64_t> shape)
      : mutator_(mutator), algorithm_(algorithm), estimator_(estimator), latency_(latency), shape_(std::move(shape)) {}
  const std::vector<SearchGroup>& groups() const override { return mutator_.groups(); }
  bool available() const { return estimator_ || latency_; }
  Costs costs(const Subnet& subnet) override {
    if (!available())
      throw Error("the search needs costs but the config has no [estimator] (e.g. type = 'flops') and no search.latency_table");
    auto [it, added] = cache_.try_emplace(subnet);
    if (added) {
      if (estimator_) {
        mutator_.set(subnet);
        it->second = estimator_->estimate(algorithm_.model(), shape_);
      }
      if (latency_) it->second["latency_ms"] = latency_->predict(subnet);
    }
    return it->second;
  }

 private:
  Mutator& mutator_;
  Algorithm& algorithm_;
  Estimator* estimator_;
  const LatencyTable* latency_;
  std::vector<std::int64_t> shape_;
  std::map<Subnet, Costs> cache_;
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string metrics_line(std::int64_t round, const Candidate& c) {
  std::string line = fmt::format("{{\"type\":\"search\",\"round\":{},\"score\":{:.6g}", round, c.score);
  for (const auto& [k, v] : c.costs) line += fmt::format(",{}:{:.6g}", json_string(k), v);
  line += ",\"subnet\":{";
  bool first = true;
  for (const auto& [k, v] : c.subnet) line += (first ? "" : ",") + json_string(k) + ":" + json_string(v), first = false;
  return line + "}}";
}

// Rewrites metrics.jsonl (atomically) without search records or a half-written last line, then appends
// `all` (the rounds the state file holds), so that after a resume the log matches the state exactly.
void rewrite_search_metrics(const std::string& file, const std::vector<std::pair<std::int64_t, Candidate>>& all) {
  std::string kept;
  for (const auto& line : complete_lines(file))
    if (line.find("\"type\":\"search\"") == std::string::npos) kept += line + '\n';
  for (const auto& [round, c] : all) kept += metrics_line(round, c) + '\n';
  write_file_atomically(file, kept);
}

void save_state(const std::string& file, const Searcher& searcher,
                const std::vector<std::pair<std::int64_t, Candidate>>& all) {
  torch::serialize::OutputArchive archive, searcher_state;
  searcher.save_state(searcher_state);
  archive.write("searcher", searcher_state);
  std::vector<Candidate> candidates;
  std::string rounds;
  for (const auto& [round, c] : all) {
    candidates.push_back(c);
    rounds += std::to_string(round) + "\n";
  }
  write_candidates(archive, "candidates", candidates);
  write_text(archive, "rounds", rounds);
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_sealed(file, bytes.str());
}

// The top-1 of each subnet; with a group, scored in turns by the ranks and summed over them.
std::vector<double> score_all(const std::vector<Subnet>& subnets, SubnetScorer& scorer, Group* group) {
  const int rank = group ? group->rank() : 0, size = group ? group->size() : 1;
  std::vector<double> scores(subnets.size(), 0.0);
  for (std::size_t i = static_cast<std::size_t>(rank); i < subnets.size(); i += static_cast<std::size_t>(size))
    scores[i] = scorer.score(subnets[i]).top1;
  if (group) {
    std::vector<at::Tensor> sums{at::tensor(scores, at::TensorOptions().dtype(at::kDouble)).to(group->device())};
    group->all_reduce_sum(sums);
    const at::Tensor all = sums[0].cpu();
    for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = all[static_cast<std::int64_t>(i)].item<double>();
  }
  return scores;
}

}  // namespace

Candidate run_search(const SearchSetup& s) {
  Mutator& mutator = *s.algorithm->mutator();
  auto& log = *s.logger;
  CostTable costs(mutator, *s.algorithm, s.estimator, s.latency, s.image_shape);
  const bool writes = !s.group || s.group->rank() == 0;
  if (writes) fs::create_directories(s.work_dir + "/search");
  const std::string state_file = s.work_dir + "/search/state.pt";
  const std::string metrics_file = s.work_dir + "/metrics.jsonl";
  std::vector<std::pair<std::int64_t, Candidate>> all;

  if (s.resume && fs::exists(state_file)) {
    try {
      torch::serialize::InputArchive archive, searcher_state;
      const std::string bytes = read_sealed(state_file, "search state");
      archive.load_from(bytes.data(), bytes.size());
      archive.read("searcher", searcher_state);
      s.searcher->load_state(searcher_state);
      const auto candidates = read_candidates(archive, "candidates");
      std::stringstream rounds(read_text(archive, "rounds"));
      for (const auto& c : candidates) {
        std::int64_t round = 0;
        rounds >> round;
        all.emplace_back(round, c);
      }
    } catch (const c10::Error& e) {
      throw Error(fmt::format("{}: cannot read the search state: {}", state_file, e.what_without_backtrace()));
    }
    log.info("search: resumed from {} after round {} ({} candidates scored)", state_file, s.searcher->rounds_done(),
             all.size());
  }
  if (writes) rewrite_search_metrics(metrics_file, all);
  log.info("search: {} groups, {:.4g} subnets; scoring on validation images", mutator.groups().size(),
           space_size(mutator.groups()));
  if (const LatencyTable* t = s.latency) {
    log.info("search: latency_ms predicted by a table of {} (batch {}, {} threads, {} form, {}; median error {:.1f}% "
             "on {} subnets)", t->config, t->batch, t->threads, t->form, t->machine, 100.0 * t->median_error, t->samples);
  }

  std::ofstream metrics;
  if (writes) metrics.open(metrics_file, std::ios::app);
  const auto start = std::chrono::steady_clock::now();
  std::int64_t scored_now = 0;
  for (auto proposals = s.searcher->propose(costs); !proposals.empty(); proposals = s.searcher->propose(costs)) {
    if (const int signal = s.group ? agree_on_stop(*s.group, stop_requested()) : stop_requested()) {
      throw Interrupted(signal, fmt::format("{} during the search: {} holds the rounds done ({}); continue with --resume",
                                            signal_name(signal), state_file, s.searcher->rounds_done()));
    }
    const std::vector<double> scores = score_all(proposals, *s.scorer, s.group);
    std::vector<Candidate> scored;
    for (std::size_t i = 0; i < proposals.size(); ++i)
      scored.push_back({proposals[i], scores[i], costs.available() ? costs.costs(proposals[i]) : Costs{}});
    s.searcher->report(scored);
    const std::int64_t round = s.searcher->rounds_done();
    for (const auto& c : scored) {
      metrics << metrics_line(round, c) << '\n';
      all.emplace_back(round, c);
    }
    metrics.flush();
    if (writes) save_state(state_file, *s.searcher, all);
    scored_now += static_cast<std::int64_t>(scored.size());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (const auto best = s.searcher->best()) {
      log.info("search round {}: {} scored ({:.1f}/s); best {:.2f}% ({})", round, scored.size(),
               scored_now / std::max(seconds, 1e-9), best->score, costs_text(best->costs));
    }
  }
  const auto best = s.searcher->best();
  if (!best) throw Error("the search scored no candidate");
  if (!writes) return *best;
  save_subnet(s.work_dir + "/subnet.toml", best->subnet);
  for (const auto& [name, result] : s.searcher->results()) {
    fs::create_directories(s.work_dir + "/search/subnets");
    save_subnet(s.work_dir + "/search/subnets/" + name + ".toml", result.subnet);
    log.info("search result {}: {:.2f}% ({}): {}", name, result.score, costs_text(result.costs), subnet_text(result.subnet));
  }

  std::vector<Candidate> plotted;
  std::size_t chosen = 0;
  for (const auto& [round, c] : all) {
    if (c.subnet == best->subnet) chosen = plotted.size();
    plotted.push_back(c);
  }
  const std::string cost = best->costs.count("flops") ? "flops" : (best->costs.empty() ? "" : best->costs.begin()->first);
  if (!cost.empty()) write_pareto_svg(s.work_dir + "/search/candidates.svg", plotted, cost, chosen);
  log.info("search done: best {:.2f}% ({}): {}", best->score, costs_text(best->costs), subnet_text(best->subnet));
  log.info("search outputs: {0}/subnet.toml, {0}/search/candidates.svg, candidates in {0}/metrics.jsonl", s.work_dir);
  return *best;
}

}  // namespace razor::host
