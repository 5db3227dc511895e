// What `nsbench run` shows and writes: the console table that sets user-space statistics beside
// the kernel-side medians from the probes, and the results file.
#pragma once

#include <map>
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

// Per scenario, the kernel-side histogram of the calls its timed iterations made.
using KernelCallsByScenario = std::map<std::string, probes::LatencyHistogram>;

// The table, one row per scenario. `kernel` is empty when the probes are off; a scenario missing
// from it made no call the probes saw.
std::string format_results_table(const std::vector<bench::ScenarioSummary>& scenarios,
                                 const std::optional<KernelCallsByScenario>& kernel);

// One line per side-by-side comparison: its median ratio, the goal and whether it was met.
std::string format_comparisons(const std::vector<bench::ComparisonResult>& comparisons);

// Adds each scenario's kernel-side figures (kernel_calls, kernel_median_seconds) to the entries of
// the results file's "scenarios" array.
void add_kernel_figures(nlohmann::json& scenarios, const KernelCallsByScenario& kernel);

// The probes' histograms as the results file's "probes" section.
nlohmann::json snapshot_to_json(const probes::Snapshot& snapshot);

}  // namespace nsbench::cli
