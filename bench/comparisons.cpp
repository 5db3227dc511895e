#include "bench/comparisons.h"

#include <algorithm>

namespace nsbench::bench {

namespace {

const ScenarioSummary* find_summary(const std::vector<ScenarioSummary>& summaries,
                                    const std::string& scenario) {
  const auto found =
      std::find_if(summaries.begin(), summaries.end(),
                   [&](const ScenarioSummary& summary) { return summary.scenario == scenario; });
  return found == summaries.end() ? nullptr : &*found;
}

}  // namespace

const std::vector<Comparison>& all_comparisons() {
  static const std::vector<Comparison> comparisons = {
      // The engine wraps clone3() with a status pipe and set-up checks; they may cost 5% at most.
      {"engine/bare", "engine/spawn_vs_bare/engine", "engine/spawn_vs_bare/bare", 1.05},
      // nsbench unshare is meant as a drop-in replacement that is faster than the original.
      {"nsbench/util-linux", "tools/nsbench_unshare", "tools/util_linux_unshare", 1.0},
      {"nsbench/bwrap", "tools/nsbench_unshare", "tools/bubblewrap", std::nullopt},
  };
  return comparisons;
}

std::vector<ComparisonResult> compare_medians(const std::vector<ScenarioSummary>& summaries) {
  std::vector<ComparisonResult> results;
  for (const Comparison& comparison : all_comparisons()) {
    const ScenarioSummary* numerator = find_summary(summaries, comparison.numerator);
    const ScenarioSummary* denominator = find_summary(summaries, comparison.denominator);
    if (numerator == nullptr || denominator == nullptr || denominator->median_seconds <= 0)
      continue;

    ComparisonResult result{comparison, numerator->median_seconds / denominator->median_seconds,
                            std::nullopt};
    if (comparison.goal_max_ratio)
      result.meets_goal = result.median_ratio <= *comparison.goal_max_ratio;
    results.push_back(std::move(result));
  }
  return results;
}

nlohmann::json comparisons_to_json(const std::vector<ComparisonResult>& results) {
  nlohmann::json array = nlohmann::json::array();
  for (const ComparisonResult& result : results) {
    nlohmann::json entry = {{"name", result.comparison.name},
                            {"numerator", result.comparison.numerator},
                            {"denominator", result.comparison.denominator},
                            {"median_ratio", result.median_ratio}};
    if (result.comparison.goal_max_ratio)
      entry["goal_max_ratio"] = *result.comparison.goal_max_ratio;
    if (result.meets_goal)
      entry["meets_goal"] = *result.meets_goal;
    array.push_back(std::move(entry));
  }
  return array;
}

}  // namespace nsbench::bench
