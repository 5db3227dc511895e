// `nsbench run`: the main job. Attaches the probes, runs every benchmark scenario, sets the
// user-space statistics beside the kernel-side latencies, and exports the results.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <optional>

#include <fmt/core.h>

#include "bench/host_fingerprint.h"
#include "bench/runner.h"
#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "cli/telemetry_flags.h"
#include "cli/telemetry_launcher.h"
#include "exporter/metrics_collector.h"
#include "exporter/push.h"
#include "exporter/textfile.h"
#include "probes/namespace_probes.h"

namespace nsbench::cli {

namespace {

struct RunCommandOptions {
  bool quick = false;
  std::string filter;
  int repetitions = 0;
  std::string json_path = "nsbench-results.json";
  std::string textfile;
  std::string push_url;
  std::string push_job = "nsbench";
  bool no_probes = false;
  TelemetryFlags telemetry;
};

// Probes are an addition, not a requirement: without them the benchmarks still run, and the user
// is told in one line why the kernel-side columns are empty. An attach mode the user forced is a
// requirement, though: its failure is an error.
Result<std::optional<probes::NamespaceProbes>> attach_probes(const RunCommandOptions& options) {
  if (options.no_probes)
    return std::nullopt;
  // Only nsbench and the processes it starts: the rest of the machine must not blur the figures.
  probes::ProbeOptions filter;
  filter.descendants_of = getpid();
  auto attached = options.telemetry.attach_probes(filter);
  if (!attached) {
    if (options.telemetry.attach_mode_forced())
      return std::unexpected(attached.error());
    print_error("run", "probes off, benchmarks only: " + attached.error().message());
    return std::nullopt;
  }
  fmt::print("probes attached with {}\n", probes::name(attached->attach_mode()));
  return std::move(*attached);
}

// The probes' histogram of the calls a scenario exercises. Only successful calls: a failed setns()
// returns before doing the work being measured.
probes::LatencyHistogram own_calls(const probes::Snapshot& snapshot,
                                   const bench::Scenario& scenario) {
  return snapshot.merged(scenario.syscall, scenario.ns_type, "ok");
}

int run(const RunCommandOptions& options) {
  auto attached = attach_probes(options);
  if (!attached) {
    print_error("run", attached.error());
    return kExitFailure;
  }
  std::optional<probes::NamespaceProbes> probes = std::move(*attached);

  exporter::SnapshotProvider provider;
  if (probes)
    provider = [&probes] { return probes->snapshot(); };
  auto collector = std::make_shared<exporter::MetricsCollector>(provider);

  auto server = options.telemetry.serve(collector);
  if (!server) {
    print_error("run", server.error());
    return kExitFailure;
  }

  bench::RunOptions run_options;
  run_options.quick = options.quick;
  run_options.filter = options.filter;
  run_options.repetitions = options.repetitions;
  run_options.context = bench::host_fingerprint();
  run_options.context["attach_mode"] =
      probes ? std::string(probes::name(probes->attach_mode())) : "off";

  // Each scenario's own kernel-side calls. Several scenarios exercise the same syscall and type
  // (clone3 of several namespaces at once, for one), so a whole-run histogram would mix them: the
  // probes are read before and after each repetition's timed iterations, and the differences
  // summed.
  KernelCallsByScenario kernel_calls;
  probes::LatencyHistogram before_repetition;
  if (probes) {
    run_options.before_timed = [&](const bench::Scenario& scenario) {
      before_repetition = own_calls(probes->snapshot(), scenario);
    };
    run_options.after_timed = [&](const bench::Scenario& scenario) {
      const probes::LatencyHistogram repetition =
          own_calls(probes->snapshot(), scenario).since(before_repetition);
      if (auto [entry, inserted] = kernel_calls.try_emplace(scenario.name, repetition); !inserted)
        entry->second.add(repetition);
    };
  }

  auto result = bench::run_scenarios(run_options);
  if (!result) {
    print_error("run", result.error());
    return kExitFailure;
  }
  collector->set_benchmark_results(result->scenarios);

  std::optional<probes::Snapshot> snapshot;
  std::optional<KernelCallsByScenario> kernel;
  if (probes) {
    snapshot = probes->snapshot();
    kernel = kernel_calls;
  }
  fmt::print("\n{}", format_results_table(result->scenarios, kernel));
  if (!result->comparisons.empty())
    fmt::print("\n{}", format_comparisons(result->comparisons));
  for (const std::string& failure : result->failures)
    print_error("run", failure);

  int status = result->failures.empty() ? kExitSuccess : kExitFailure;
  if (!options.json_path.empty()) {
    nlohmann::json document = result->report;
    if (snapshot)
      document["probes"] = snapshot_to_json(*snapshot);
    if (kernel)
      add_kernel_figures(document["scenarios"], *kernel);
    if (auto written = bench::write_report(options.json_path, document); !written) {
      print_error("run", written.error());
      status = kExitFailure;
    } else {
      fmt::print("results: {}\n", options.json_path);
    }
  }
  if (!options.textfile.empty()) {
    if (auto written = exporter::write_textfile(options.textfile, *collector); !written) {
      print_error("run", written.error());
      status = kExitFailure;
    }
  }
  if (!options.push_url.empty()) {
    if (auto pushed = exporter::push_to_gateway(options.push_url, options.push_job, *collector);
        !pushed) {
      print_error("run", pushed.error());
      status = kExitFailure;
    }
  }
  return status;
}

}  // namespace

Subcommand run_subcommand() {
  return {"run", kRunDescription, [](CLI::App& app) -> Action {
            auto options = std::make_shared<RunCommandOptions>();
            app.add_flag("--quick", options->quick, "few iterations, for smoke runs (under 30 s)");
            app.add_option("--filter", options->filter, "run only scenarios matching this regex")
                ->check(checked_by([](const std::string& text) -> Result<> {
                  std::regex pattern;
                  try {
                    pattern = std::regex(text, std::regex::ECMAScript);
                  } catch (const std::regex_error& error) {
                    return plain_error("regular expression", text, error.what());
                  }
                  for (const std::string& name : bench::scenario_names()) {
                    if (std::regex_search(name, pattern))
                      return {};
                  }
                  return plain_error("filter", text,
                                     "no scenario name matches; the filter is a regex searched "
                                     "in the names, such as 'create/' or 'setns/(pid|net)'");
                }));
            app.add_option("--repetitions", options->repetitions, "repetitions per scenario")
                ->check(whole_number_between(1, 1000));
            app.add_option("--json", options->json_path,
                           "Google Benchmark-format results file ('' for none)")
                ->check(checked_by(check_output_file))
                ->capture_default_str();
            app.add_option("--textfile", options->textfile,
                           "write the metrics to FILE at the end, atomically")
                ->check(checked_by(check_output_file));
            app.add_option("--push", options->push_url, "push the metrics to a Pushgateway URL")
                ->check(checked_by(exporter::check_gateway_url));
            app.add_option("--push-job", options->push_job, "job name for --push")
                ->check(checked_by(exporter::check_job_name))
                ->capture_default_str();
            app.add_flag("--no-probes", options->no_probes, "run the benchmarks without eBPF");
            options->telemetry.declare(app);
            return [options](const std::vector<std::string>& after_dash) {
              if (!after_dash.empty()) {
                print_error("run", "unexpected arguments after '--'");
                return usage_exit_code();
              }
              return run(*options);
            };
          }};
}

}  // namespace nsbench::cli
