#include "stages/search/pareto_svg.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "base/atomic_file.h"

namespace razor::host {
namespace {

double cost_of(const Candidate& c, const std::string& cost) {
  const auto it = c.costs.find(cost);
  return it == c.costs.end() ? 0.0 : it->second;
}

}  // namespace

std::vector<std::size_t> pareto_front(const std::vector<Candidate>& candidates, const std::string& cost) {
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  // Cheapest first; among equal costs the best score first, so it alone can join the front.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double ca = cost_of(candidates[a], cost), cb = cost_of(candidates[b], cost);
    return ca != cb ? ca < cb : candidates[a].score > candidates[b].score;
  });
  std::vector<std::size_t> front;
  for (std::size_t i : order)
    if (front.empty() || candidates[i].score > candidates[front.back()].score) front.push_back(i);
  return front;
}

void write_pareto_svg(const std::string& path, const std::vector<Candidate>& candidates, const std::string& cost,
                      std::size_t chosen) {
  const double width = 640, height = 420, left = 70, right = 20, top = 30, bottom = 50;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& c : candidates) {
    x0 = std::min(x0, cost_of(c, cost)), x1 = std::max(x1, cost_of(c, cost));
    y0 = std::min(y0, c.score), y1 = std::max(y1, c.score);
  }
  if (candidates.empty()) x0 = y0 = 0, x1 = y1 = 1;
  if (x1 - x0 < 1e-12) x0 -= 1, x1 += 1;
  if (y1 - y0 < 1e-12) y0 -= 1, y1 += 1;
  const auto px = [&](double v) { return left + (v - x0) / (x1 - x0) * (width - left - right); };
  const auto py = [&](double v) { return height - bottom - (v - y0) / (y1 - y0) * (height - top - bottom); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"18\" font-size=\"14\">Search candidates: score against {3} ({4} scored)</text>\n",
      width, height, left, cost, candidates.size());
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n", left, height - bottom,
                     width - right);
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>\n", left, top,
                     height - bottom);
  for (int t = 0; t <= 4; ++t) {
    const double xv = x0 + (x1 - x0) * t / 4, yv = y0 + (y1 - y0) * t / 4;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:.4g}</text>\n", px(xv), height - bottom + 16,
                       xv);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.2f}</text>\n", left - 6, py(yv) + 4, yv);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", (left + width - right) / 2,
                     height - 12, cost);
  svg += fmt::format("<text x=\"16\" y=\"{}\" transform=\"rotate(-90 16 {})\" text-anchor=\"middle\">score "
                     "(validation top-1 %)</text>\n",
                     (top + height - bottom) / 2, (top + height - bottom) / 2);
  for (const auto& c : candidates) {
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#8899aa\" fill-opacity=\"0.6\"/>\n",
                       px(cost_of(c, cost)), py(c.score));
  }
  std::string line;
  for (std::size_t i : pareto_front(candidates, cost))
    line += fmt::format("{:.1f},{:.1f} ", px(cost_of(candidates[i], cost)), py(candidates[i].score));
  svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n", line);
  for (std::size_t i : pareto_front(candidates, cost)) {
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"#d62728\"/>\n",
                       px(cost_of(candidates[i], cost)), py(candidates[i].score));
  }
  if (chosen < candidates.size()) {
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"8\" fill=\"none\" stroke=\"black\" "
                       "stroke-width=\"2\"/>\n",
                       px(cost_of(candidates[chosen], cost)), py(candidates[chosen].score));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#d62728\">— Pareto front</text>\n", width - right - 150, top + 10);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">○ chosen</text>\n</svg>\n", width - right - 150, top + 26);
  write_file_atomically(path, svg);
}

}  // namespace razor::host
