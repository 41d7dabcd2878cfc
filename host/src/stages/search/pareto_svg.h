#pragma once
// candidates.svg: every scored candidate as score against FLOPs (or another cost), the Pareto front
// (no other candidate is both cheaper and better) drawn as a line, and the chosen one circled.
#include <string>
#include <vector>

#include "razor/searcher.h"

namespace razor::host {

/// Indices of the candidates on the Pareto front of (cost `cost` low, score high), cheapest first.
std::vector<std::size_t> pareto_front(const std::vector<Candidate>& candidates, const std::string& cost);

/// Writes the plot atomically. `chosen` is an index into `candidates`.
void write_pareto_svg(const std::string& path, const std::vector<Candidate>& candidates, const std::string& cost,
                      std::size_t chosen);

}  // namespace razor::host
