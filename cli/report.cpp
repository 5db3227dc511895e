#include "cli/report.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

namespace nsbench::cli {

std::string format_duration(double seconds) {
  if (std::isnan(seconds))
    return "-";
  const double magnitude = std::fabs(seconds);
  if (magnitude >= 1.0)
    return fmt::format("{:.3g} s", seconds);
  if (magnitude >= 1e-3)
    return fmt::format("{:.3g} ms", seconds * 1e3);
  if (magnitude >= 1e-6)
    return fmt::format("{:.3g} us", seconds * 1e6);
  return fmt::format("{:.3g} ns", seconds * 1e9);
}

namespace {

const bench::ScenarioSummary* find_baseline(const std::vector<bench::ScenarioSummary>& scenarios) {
  for (const bench::ScenarioSummary& scenario : scenarios) {
    if (scenario.scenario == "baseline/fork_exit")
      return &scenario;
  }
  return nullptr;
}

// A scenario's kernel-side calls; empty when the probes saw none.
probes::LatencyHistogram calls_of(const KernelCallsByScenario& kernel,
                                  const std::string& scenario) {
  const auto found = kernel.find(scenario);
  return found == kernel.end() ? probes::LatencyHistogram{} : found->second;
}

}  // namespace

std::string format_results_table(const std::vector<bench::ScenarioSummary>& scenarios,
                                 const std::optional<KernelCallsByScenario>& kernel) {
  const bench::ScenarioSummary* baseline = find_baseline(scenarios);
  size_t name_width = 8;
  for (const bench::ScenarioSummary& scenario : scenarios) {
    name_width = std::max(name_width, scenario.scenario.size());
  }
  std::string table = fmt::format("{:<{}} {:>7} {:>10} {:>10} {:>7} {:>11}   {:<16} {:>10} {:>8}\n",
                                  "scenario", name_width, "samples", "median", "p99", "cv",
                                  "+baseline", "kernel syscall", "k.median", "k.calls");
  for (const bench::ScenarioSummary& scenario : scenarios) {
    // Creation scenarios fork and exit a child; the baseline does only that, so the difference
    // is what the namespaces themselves cost.
    const bool over_baseline = baseline != nullptr && scenario.scenario.starts_with("create/");
    const std::string extra =
        over_baseline ? format_duration(scenario.median_seconds - baseline->median_seconds) : "";

    std::string kernel_median = "-";
    std::string kernel_calls = "-";
    if (kernel) {
      const probes::LatencyHistogram calls = calls_of(*kernel, scenario.scenario);
      kernel_median = format_duration(calls.quantile_seconds(0.5));
      kernel_calls = std::to_string(calls.count);
    }
    table += fmt::format("{:<{}} {:>7} {:>10} {:>10} {:>6.1f}% {:>11}   {:<16} {:>10} {:>8}\n",
                         scenario.scenario, name_width, scenario.samples,
                         format_duration(scenario.median_seconds),
                         format_duration(scenario.p99_seconds), scenario.cv_ratio * 100.0, extra,
                         scenario.syscall + "/" + scenario.ns_type, kernel_median, kernel_calls);
  }
  return table;
}

std::string format_comparisons(const std::vector<bench::ComparisonResult>& comparisons) {
  std::string lines;
  for (const bench::ComparisonResult& result : comparisons) {
    lines += fmt::format("{:<32} median ratio {:.2f}", result.comparison.name, result.median_ratio);
    if (result.comparison.goal_max_ratio) {
      lines += fmt::format(" (goal <= {:.2f}: {})", *result.comparison.goal_max_ratio,
                           result.meets_goal.value_or(false) ? "met" : "missed");
    }
    lines += '\n';
  }
  return lines;
}

void add_kernel_figures(nlohmann::json& scenarios, const KernelCallsByScenario& kernel) {
  for (nlohmann::json& entry : scenarios) {
    const probes::LatencyHistogram calls = calls_of(kernel, entry.value("scenario", ""));
    entry["kernel_calls"] = calls.count;
    // JSON has no NaN: a scenario the probes saw no call of gets null.
    entry["kernel_median_seconds"] =
        calls.count == 0 ? nlohmann::json() : nlohmann::json(calls.quantile_seconds(0.5));
  }
}

nlohmann::json snapshot_to_json(const probes::Snapshot& snapshot) {
  nlohmann::json histograms = nlohmann::json::array();
  for (const probes::LatencyHistogram& histogram : snapshot.latencies) {
    nlohmann::json slots = nlohmann::json::array();
    for (int slot = 0; slot < probes::kLatencySlots; ++slot) {
      if (histogram.slots[slot] == 0)
        continue;
      slots.push_back(
          {{"le_ns", probes::slot_upper_edge_ns(slot)}, {"count", histogram.slots[slot]}});
    }
    histograms.push_back({{"syscall", histogram.syscall},
                          {"ns_type", histogram.ns_type},
                          {"result", histogram.result},
                          {"count", histogram.count},
                          {"sum_ns", histogram.sum_ns},
                          {"median_seconds", histogram.quantile_seconds(0.5)},
                          {"p99_seconds", histogram.quantile_seconds(0.99)},
                          {"buckets", slots}});
  }
  nlohmann::json programs = nlohmann::json::array();
  for (const probes::ProgramStats& program : snapshot.programs) {
    programs.push_back({{"program", program.program},
                        {"runs", program.runs},
                        {"run_time_ns", program.run_time_ns},
                        {"recursion_misses", program.recursion_misses}});
  }
  return {{"attach_mode", snapshot.attach_mode},
          {"unmatched_exits", snapshot.unmatched_exits},
          {"negative_deltas", snapshot.negative_deltas},
          {"map_update_failures", snapshot.map_update_failures},
          {"events_lost", snapshot.events_lost()},
          {"run_time_stats", snapshot.run_time_stats},
          {"programs", programs},
          {"latencies", histograms}};
}

}  // namespace nsbench::cli
