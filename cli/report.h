// What `nsbench run` shows and writes: the console table that sets user-space statistics beside
// the kernel-side medians from the probes, and the results file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/comparisons.h"
#include "bench/summary.h"
#include "probes/snapshot.h"

namespace nsbench::cli {

// "12.3 us", "1.05 ms": three significant digits in the unit that suits the value.
std::string format_duration(double seconds);

// The table, one row per scenario. `snapshot` is empty when the probes are off.
std::string format_results_table(const std::vector<bench::ScenarioSummary>& scenarios,
                                 const std::optional<probes::Snapshot>& snapshot);

// One line per side-by-side comparison: its median ratio, the goal and whether it was met.
std::string format_comparisons(const std::vector<bench::ComparisonResult>& comparisons);

// The probes' histograms as the results file's "probes" section.
nlohmann::json snapshot_to_json(const probes::Snapshot& snapshot);

}  // namespace nsbench::cli
