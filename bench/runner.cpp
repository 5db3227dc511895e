#include "bench/runner.h"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <string_view>

#include <benchmark/benchmark.h>

#include "bench/host_fingerprint.h"
#include "bench/scenarios.h"
#include "bench/statistics.h"

namespace nsbench::bench {

namespace {

constexpr int kQuickRepetitions = 3;
constexpr int kFullRepetitions = 10;
constexpr std::string_view kBaselineScenario = "baseline/fork_exit";

// Everything the repetitions of one scenario leave behind. Repetitions of a scenario are spread
// over the run when interleaved, so samples accumulate here rather than in Google Benchmark's
// per-repetition results.
struct ScenarioRecord {
  const Scenario* scenario = nullptr;
  const RunOptions* options = nullptr;
  std::vector<double> samples;
  std::vector<std::string> errors;
};

void fail_repetition(benchmark::State& state, ScenarioRecord& record, const Error& error) {
  const std::string message = error.message();
  if (std::find(record.errors.begin(), record.errors.end(), message) == record.errors.end())
    record.errors.push_back(message);
  state.SkipWithError(message.c_str());
}

// The body of one repetition: prepare the operation (untimed), one untimed warm-up iteration so
// that the first sample does not pay for cold caches after another scenario ran, then the
// measured iterations.
void run_repetition(benchmark::State& state, ScenarioRecord& record) {
  Result<std::unique_ptr<Operation>> operation = record.scenario->prepare();
  if (!operation) {
    fail_repetition(state, record, operation.error());
    return;
  }
  if (Result<double> warm_up = (*operation)->run_once(); !warm_up) {
    fail_repetition(state, record, warm_up.error());
    return;
  }

  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(state.max_iterations));
  if (record.options->before_timed)
    record.options->before_timed(*record.scenario);
  for (auto _ : state) {
    Result<double> seconds = (*operation)->run_once();
    if (!seconds) {
      fail_repetition(state, record, seconds.error());
      break;
    }
    state.SetIterationTime(*seconds);
    samples.push_back(*seconds);
  }
  if (record.options->after_timed)
    record.options->after_timed(*record.scenario);
  if (state.error_occurred())
    return;

  // Google Benchmark reports each repetition's mean; these counters add what a latency needs
  // (in seconds, like the summaries).
  const SampleStatistics statistics = describe(samples);
  state.counters["median"] = statistics.median;
  state.counters["p99"] = statistics.p99;
  state.counters["cv"] = statistics.cv;
  state.counters["samples"] = static_cast<double>(statistics.count);
  record.samples.insert(record.samples.end(), samples.begin(), samples.end());
}

Result<std::vector<const Scenario*>> select_scenarios(const std::string& filter) {
  std::vector<const Scenario*> selected;
  std::regex pattern;
  try {
    pattern = std::regex(filter.empty() ? "." : filter, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    return plain_error("parse scenario filter", filter, error.what());
  }
  for (const Scenario& scenario : all_scenarios()) {
    if (std::regex_search(scenario.name, pattern))
      selected.push_back(&scenario);
  }
  if (selected.empty()) {
    return plain_error(
        "select scenarios", filter,
        "no scenario name matches; the filter is a regex searched in the names, such as "
        "'create/' or 'setns/(pid|net)'");
  }
  return selected;
}

// Google Benchmark reads its settings only from a command line. Every flag that matters is given
// explicitly, because the library keeps flags from any earlier call in global variables.
void configure_library() {
  // The library keeps a pointer to argv[0] as the executable name for later reports.
  static char program_name[] = "nsbench";
  std::vector<std::string> flags = {
      "--benchmark_enable_random_interleaving=true",
      "--benchmark_filter=.",
      "--benchmark_list_tests=false",
      "--benchmark_min_warmup_time=0",
      "--benchmark_repetitions=1",
      "--benchmark_report_aggregates_only=false",
      "--benchmark_display_aggregates_only=false",
      "--benchmark_format=json",
      "--benchmark_out=",
      "--benchmark_counters_tabular=false",
      "--benchmark_time_unit=us",
      "--v=0",
  };
  std::vector<char*> argv = {program_name};
  for (std::string& flag : flags)
    argv.push_back(flag.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(argv.size()) - 1;
  benchmark::Initialize(&argc, argv.data());
}

// AddCustomContext refuses (and complains on stderr about) a key it already holds, and the map
// lives as long as the process, so a second run in the same process starts from an empty one.
void set_context(const RunOptions& options, int repetitions) {
  if (std::map<std::string, std::string>* context = benchmark::internal::GetGlobalContext())
    context->clear();

  std::map<std::string, std::string> entries = host_fingerprint();
  entries["run_mode"] = options.quick ? "quick" : "full";
  entries["repetitions"] = std::to_string(repetitions);
  for (const auto& [key, value] : options.context)
    entries[key] = value;
  for (const auto& [key, value] : entries)
    benchmark::AddCustomContext(key, value);
}

void register_scenarios(std::vector<ScenarioRecord>& records, bool quick, int repetitions) {
  benchmark::ClearRegisteredBenchmarks();
  for (ScenarioRecord& record : records) {
    const Scenario& scenario = *record.scenario;
    benchmark::RegisterBenchmark(
        scenario.name.c_str(),
        [&record](benchmark::State& state) { run_repetition(state, record); })
        ->Iterations(quick ? scenario.quick_iterations : scenario.full_iterations)
        ->Repetitions(repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

ScenarioSummary summarize(const ScenarioRecord& record) {
  const SampleStatistics statistics = describe(record.samples);
  ScenarioSummary summary;
  summary.scenario = record.scenario->name;
  summary.syscall = record.scenario->syscall;
  summary.ns_type = record.scenario->ns_type;
  summary.samples = statistics.count;
  summary.median_seconds = statistics.median;
  summary.p99_seconds = statistics.p99;
  summary.mean_seconds = statistics.mean;
  summary.stddev_seconds = statistics.stddev;
  summary.cv_ratio = statistics.cv;
  return summary;
}

// The summaries as the report's "scenarios" array. A creation scenario also gets its median over
// the baseline's (when the baseline ran): forking and reaping the child is common to both, so the
// difference is what the namespace itself costs.
nlohmann::json summaries_to_json(const std::vector<ScenarioSummary>& summaries) {
  const ScenarioSummary* baseline = nullptr;
  for (const ScenarioSummary& summary : summaries) {
    if (summary.scenario == kBaselineScenario)
      baseline = &summary;
  }

  nlohmann::json array = nlohmann::json::array();
  for (const ScenarioSummary& summary : summaries) {
    nlohmann::json entry = {{"scenario", summary.scenario},
                            {"syscall", summary.syscall},
                            {"ns_type", summary.ns_type},
                            {"samples", summary.samples},
                            {"median_seconds", summary.median_seconds},
                            {"p99_seconds", summary.p99_seconds},
                            {"mean_seconds", summary.mean_seconds},
                            {"stddev_seconds", summary.stddev_seconds},
                            {"cv_ratio", summary.cv_ratio}};
    if (baseline != nullptr && summary.scenario.starts_with("create/"))
      entry["median_over_baseline_seconds"] = summary.median_seconds - baseline->median_seconds;
    array.push_back(std::move(entry));
  }
  return array;
}

Result<RunResult> run_selected(const std::vector<const Scenario*>& selected,
                               const RunOptions& options) {
  const int repetitions = options.repetitions > 0
                              ? options.repetitions
                              : (options.quick ? kQuickRepetitions : kFullRepetitions);
  configure_library();
  set_context(options, repetitions);

  std::vector<ScenarioRecord> records(selected.size());
  for (size_t index = 0; index < selected.size(); ++index) {
    records[index].scenario = selected[index];
    records[index].options = &options;
  }
  register_scenarios(records, options.quick, repetitions);

  // The console stays quiet (the CLI prints its own table); the JSON is kept in memory.
  std::ostringstream json;
  std::ostringstream diagnostics;
  benchmark::JSONReporter reporter;
  reporter.SetOutputStream(&json);
  reporter.SetErrorStream(&diagnostics);
  benchmark::RunSpecifiedBenchmarks(&reporter, ".");
  // The registered lambdas point into `records`, which is about to go.
  benchmark::ClearRegisteredBenchmarks();

  RunResult result;
  result.report = nlohmann::json::parse(json.str(), nullptr, /*allow_exceptions=*/false);
  if (result.report.is_discarded() || !result.report.is_object())
    return plain_error("parse Google Benchmark report", "", "the library wrote invalid JSON");

  for (const ScenarioRecord& record : records) {
    for (const std::string& error : record.errors)
      result.failures.push_back(record.scenario->name + ": " + error);
    // Samples of the repetitions that did complete would describe a different mix of
    // conditions than the scenario asks for: a failed scenario gets no summary at all.
    if (!record.errors.empty() || record.samples.empty())
      continue;
    result.scenarios.push_back(summarize(record));
  }
  result.report["scenarios"] = summaries_to_json(result.scenarios);
  result.comparisons = compare_medians(result.scenarios);
  result.report["comparisons"] = comparisons_to_json(result.comparisons);

  if (!options.json_path.empty()) {
    if (auto written = write_report(options.json_path, result.report); !written)
      return std::unexpected(written.error());
  }
  return result;
}

}  // namespace

Result<RunResult> run_scenarios(const RunOptions& options) {
  if (options.repetitions < 0) {
    return plain_error("run scenarios", "", "repetitions must be positive (0 for the default)");
  }
  Result<std::vector<const Scenario*>> selected = select_scenarios(options.filter);
  if (!selected)
    return std::unexpected(selected.error());

  static std::mutex library_state;
  std::lock_guard<std::mutex> lock(library_state);
  return run_selected(*selected, options);
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const Scenario& scenario : all_scenarios())
    names.push_back(scenario.name);
  return names;
}

Result<> write_report(const std::string& path, const nlohmann::json& report) {
  std::ofstream out(path, std::ios::trunc);
  if (!out)
    return system_error("open results file", path);
  out << report.dump(2) << '\n';
  out.close();
  if (!out)
    return system_error("write results file", path);
  return {};
}

}  // namespace nsbench::bench
