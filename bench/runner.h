// Runs the benchmark scenarios with Google Benchmark and returns their statistics together with
// the Google Benchmark-format report, which its own tools (compare.py) can read.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/comparisons.h"
#include "bench/scenarios.h"
#include "bench/summary.h"
#include "common/result.h"

namespace nsbench::bench {

struct RunOptions {
  bool quick = false;     // few iterations and 3 repetitions: a smoke run of a few seconds
  std::string filter;     // ECMAScript regex searched in scenario names; empty runs all
  int repetitions = 0;    // repetitions per scenario; 0 for the default (10, or 3 when quick)
  std::string json_path;  // where to write the report as well; empty for nowhere
  std::map<std::string, std::string> context;  // extra context keys (host fingerprint, attach
                                               // mode); they win over computed ones
  // Called on the benchmark thread just before and just after the timed iterations of every
  // repetition (its preparation and warm-up are outside), with the scenario. Whatever happens in
  // between belongs to that scenario alone: `nsbench run` reads the probes here to give each
  // scenario its own kernel-side calls, although several exercise the same syscall.
  std::function<void(const Scenario&)> before_timed;
  std::function<void(const Scenario&)> after_timed;
};

struct RunResult {
  // One summary per scenario that ran without failure, in catalogue order; statistics over all
  // iterations of all its repetitions.
  std::vector<ScenarioSummary> scenarios;
  // "scenario: message", one per distinct failure; a failed scenario has no summary.
  std::vector<std::string> failures;
  // Median ratios of the side-by-side scenarios (engine vs bare syscalls, nsbench vs other
  // tools) whose two scenarios both ran.
  std::vector<ComparisonResult> comparisons;
  // Google Benchmark's JSON ("context" and "benchmarks", one entry per repetition plus the
  // aggregates), with a "scenarios" array of the summaries added.
  nlohmann::json report;
};

// Runs the scenarios selected by options.filter, repetitions interleaved in random order so that
// slow drifts of the machine spread over all scenarios instead of biasing one. Failures inside a
// scenario are reported in RunResult::failures and the other scenarios still run; an Error means
// nothing could be run (bad filter, nothing selected, unreadable report). Not reentrant: Google
// Benchmark keeps its registry and flags in global state, so concurrent calls are serialized.
Result<RunResult> run_scenarios(const RunOptions& options);

// The names of every scenario, in the order they are reported.
std::vector<std::string> scenario_names();

// Writes a results document (pretty-printed JSON) to `path`, naming the path in any error.
Result<> write_report(const std::string& path, const nlohmann::json& report);

}  // namespace nsbench::bench
