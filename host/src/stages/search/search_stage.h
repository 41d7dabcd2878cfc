#pragma once
// The search stage: asks the searcher for subnets, scores them (SubnetScorer) and costs them (the
// estimator; latency_ms predicted by a latency table), logs every candidate to metrics.jsonl, checkpoints after every round, and writes
// subnet.toml and search/candidates.svg.
#include <cstdint>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "parallel/group.h"
#include "razor/estimator.h"
#include "razor/searcher.h"
#include "stages/search/latency_table.h"
#include "stages/search/subnet_scorer.h"

namespace razor::host {

struct SearchSetup {
  Algorithm* algorithm = nullptr;
  Searcher* searcher = nullptr;
  Estimator* estimator = nullptr;  // may be null: then constraints cannot be checked
  const LatencyTable* latency = nullptr;  // may be null; else costs include latency_ms
  SubnetScorer* scorer = nullptr;
  std::vector<std::int64_t> image_shape;  // [1, C, H, W]
  std::string work_dir;
  bool resume = false;
  spdlog::logger* logger = nullptr;
  // Data parallel (null: one process): each rank scores every size()-th candidate of a round and the
  // scores are gathered, so all ranks' searchers see the same results; rank 0 alone writes.
  Group* group = nullptr;
};

/// Runs (or, with resume, continues) the search; returns the best candidate.
Candidate run_search(const SearchSetup& setup);

}  // namespace razor::host
