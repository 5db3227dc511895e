// Side-by-side comparisons between scenarios of the same run: the median of one over the median
// of the other, against the goal the product states for the pair.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/summary.h"

namespace nsbench::bench {

struct Comparison {
  std::string name;         // "engine/bare"
  std::string numerator;    // scenario whose median is divided
  std::string denominator;  // scenario it is divided by
  // The highest median ratio that meets the goal; none for a comparison reported for context.
  std::optional<double> goal_max_ratio;
};

// Every comparison nsbench reports, in a stable order.
const std::vector<Comparison>& all_comparisons();

struct ComparisonResult {
  Comparison comparison;
  double median_ratio = 0;
  std::optional<bool> meets_goal;  // empty without a goal
};

// The comparisons whose two scenarios both have a summary (and a positive denominator).
std::vector<ComparisonResult> compare_medians(const std::vector<ScenarioSummary>& summaries);

// The results as a JSON array for a results document's top-level "comparisons" key.
nlohmann::json comparisons_to_json(const std::vector<ComparisonResult>& results);

}  // namespace nsbench::bench
