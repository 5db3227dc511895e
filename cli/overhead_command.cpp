// `nsbench overhead`: what tracing the namespace syscalls costs the traced, nsbench's probes side
// by side with a bpftrace script that builds the same histograms, in one run.
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "bench/bpftrace_session.h"
#include "bench/host_fingerprint.h"
#include "bench/probe_overhead.h"
#include "bench/runner.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "cli/subcommand.h"
#include "cli/telemetry_module.h"
#include "probes/namespace_probes.h"
#include "probes/snapshot_reader.h"

namespace nsbench::cli {

namespace {

constexpr const char* kNsbench = "nsbench";
constexpr const char* kNsbenchWithStats = "nsbench+stats";
constexpr const char* kBpftrace = "bpftrace";
// Per traced call, nsbench should add at most this fraction of what bpftrace adds.
constexpr double kTracedCallGoal = 0.25;

struct OverheadCommandOptions {
  bool quick = false;
  int rounds = 5;
  int batches = 51;
  std::string attach_mode;
  std::string json_path;
  bool verbose = false;
};

// What the tracers leave for the report once they are stopped.
struct Observed {
  std::string attach_mode;
  std::vector<probes::ProgramStats> programs;  // from the run with run-time statistics on
  std::vector<probes::LatencyHistogram> nsbench_setns;
  std::vector<std::vector<bench::BpftraceBucket>> bpftrace_setns;
};

bench::Tracer nsbench_tracer(const OverheadCommandOptions& options, bool run_time_stats,
                             Observed& observed) {
  return {run_time_stats ? kNsbenchWithStats : kNsbench,
          [&options, run_time_stats, &observed]() -> Result<std::shared_ptr<void>> {
            probes::ProbeOptions probe_options;
            probe_options.verbose = options.verbose;
            probe_options.run_time_stats = run_time_stats;
            if (!options.attach_mode.empty())
              probe_options.force_mode = probes::parse_attach_mode(options.attach_mode);
            auto attached = probes::NamespaceProbes::attach(probe_options);
            if (!attached)
              return std::unexpected(attached.error());
            observed.attach_mode = probes::name(attached->attach_mode());
            // Stopping reads what the probes saw, then detaches them.
            auto* owned = new probes::NamespaceProbes(std::move(*attached));
            return std::shared_ptr<void>(owned, [&observed, run_time_stats](void* pointer) {
              auto* stopping = static_cast<probes::NamespaceProbes*>(pointer);
              const probes::Snapshot seen = stopping->snapshot();
              if (run_time_stats)
                observed.programs = seen.programs;
              else
                observed.nsbench_setns.push_back(seen.merged("setns", "uts", "ok"));
              delete stopping;
            });
          }};
}

bench::Tracer bpftrace_tracer(Observed& observed) {
  return {kBpftrace, [&observed]() -> Result<std::shared_ptr<void>> {
            auto session =
                bench::BpftraceSession::start(bench::namespace_latency_bpftrace_script());
            if (!session)
              return std::unexpected(session.error());
            auto* owned = new bench::BpftraceSession(std::move(*session));
            return std::shared_ptr<void>(owned, [&observed](void* pointer) {
              auto* stopping = static_cast<bench::BpftraceSession*>(pointer);
              if (Result<std::string> output = stopping->stop(); output) {
                auto histograms = bench::parse_bpftrace_histograms(*output, "@latency_ns");
                if (histograms) {
                  observed.bpftrace_setns.push_back(
                      (*histograms)["tracepoint:syscalls:sys_exit_setns,0"]);
                }
              }
              delete stopping;
            });
          }};
}

std::string signed_duration(double seconds) {
  if (std::isnan(seconds))
    return "-";
  return (seconds < 0 ? "-" : "+") + format_duration(std::fabs(seconds));
}

std::string bucket_text(int slot) {
  if (slot < 0)
    return "none";
  const double upper = static_cast<double>(probes::slot_upper_edge_ns(slot)) * 1e-9;
  return fmt::format("({}, {}]", format_duration(upper / 2), format_duration(upper));
}

int overhead(OverheadCommandOptions options) {
  if (options.quick) {
    options.rounds = 1;
    options.batches = 11;
  }
  Observed observed;
  const std::vector<bench::Tracer> tracers = {nsbench_tracer(options, false, observed),
                                              bpftrace_tracer(observed),
                                              nsbench_tracer(options, true, observed)};
  fmt::print("measuring {} rounds: untraced, {}, {} and {} in rotating order\n", options.rounds,
             kNsbench, kBpftrace, kNsbenchWithStats);
  std::fflush(stdout);

  auto result = bench::measure_overhead(tracers, {options.rounds, options.batches});
  if (!result) {
    print_error("overhead", result.error());
    return kExitFailure;
  }

  fmt::print("\nmedian time per call (nsbench probes attached with {})\n\n", observed.attach_mode);
  fmt::print("{:<9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n", "workload", "untraced",
             kNsbench, "added", kBpftrace, "added", "with stats", "added", "nsbench/bpftrace");
  nlohmann::json rows = nlohmann::json::array();
  bool goals_met = true;
  for (const bench::OverheadWorkload& workload : bench::overhead_workloads()) {
    const auto per_call = [&](const char* tracer) {
      const bench::OverheadFigure* figure = result->find(workload.name, tracer);
      return figure ? figure->per_call_seconds : std::nan("");
    };
    const double nsbench_added = result->added_seconds(workload.name, kNsbench);
    const double bpftrace_added = result->added_seconds(workload.name, kBpftrace);
    const double ratio = nsbench_added / bpftrace_added;
    // Traced calls: at most a quarter of bpftrace's addition. Untraced ones: no more than bpftrace.
    const bool met = workload.traced ? ratio <= kTracedCallGoal : nsbench_added <= bpftrace_added;
    goals_met = goals_met && met;
    fmt::print("{:<9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {:.2f} (goal {} {}: {})\n",
               workload.name, format_duration(per_call(bench::kUntraced)),
               format_duration(per_call(kNsbench)), signed_duration(nsbench_added),
               format_duration(per_call(kBpftrace)), signed_duration(bpftrace_added),
               format_duration(per_call(kNsbenchWithStats)),
               signed_duration(result->added_seconds(workload.name, kNsbenchWithStats)), ratio,
               workload.traced ? "<=" : "added <=", workload.traced ? "0.25" : "bpftrace's",
               met ? "met" : "MISSED");
    nlohmann::json row = {{"workload", workload.name},
                          {"traced", workload.traced},
                          {"call", workload.call},
                          {"nsbench_added_seconds", nsbench_added},
                          {"bpftrace_added_seconds", bpftrace_added},
                          {"nsbench_with_stats_added_seconds",
                           result->added_seconds(workload.name, kNsbenchWithStats)},
                          {"ratio", ratio},
                          {"goal_met", met}};
    for (const char* tracer : {bench::kUntraced, kNsbench, kBpftrace, kNsbenchWithStats}) {
      if (const bench::OverheadFigure* figure = result->find(workload.name, tracer))
        row["per_call_seconds"][tracer] = figure->round_seconds;
    }
    rows.push_back(std::move(row));
  }

  fmt::print("\nnsbench's programs by the kernel's run-time statistics (with stats run):\n");
  nlohmann::json programs = nlohmann::json::array();
  for (const probes::ProgramStats& program : observed.programs) {
    const double per_run = program.runs == 0 ? 0.0
                                             : static_cast<double>(program.run_time_ns) * 1e-9 /
                                                   static_cast<double>(program.runs);
    fmt::print("  {:<28} {:>12} runs {:>10} per run\n", program.program, program.runs,
               format_duration(per_run));
    programs.push_back({{"program", program.program},
                        {"runs", program.runs},
                        {"run_time_ns", program.run_time_ns},
                        {"recursion_misses", program.recursion_misses}});
  }

  // Different calls (nsbench and bpftrace run in turns), so a check of the figures rather than
  // the agreement test, which times the same calls with both.
  probes::LatencyHistogram nsbench_setns;
  for (const probes::LatencyHistogram& histogram : observed.nsbench_setns) {
    for (int slot = 0; slot < probes::kLatencySlots; ++slot)
      nsbench_setns.slots[slot] += histogram.slots[slot];
    nsbench_setns.count += histogram.count;
  }
  const int ours = nsbench_setns.slot_of_quantile(0.5);
  const int theirs = bench::median_slot(observed.bpftrace_setns);
  const bool agree = ours >= 0 && theirs >= 0 && std::abs(ours - theirs) <= 1;
  fmt::print("\nkernel-side setns median: nsbench {}, bpftrace {} ({})\n", bucket_text(ours),
             bucket_text(theirs), agree ? "same or adjacent log2 bucket" : "DISAGREE");

  if (!options.json_path.empty()) {
    nlohmann::json report = {
        {"context", bench::host_fingerprint()},
        {"attach_mode", observed.attach_mode},
        {"rounds", options.rounds},
        {"batches", options.batches},
        {"bpftrace_script", bench::namespace_latency_bpftrace_script()},
        {"workloads", rows},
        {"programs", programs},
        {"setns_median_bucket_ns",
         {{"nsbench", ours >= 0 ? probes::slot_upper_edge_ns(ours) : 0},
          {"bpftrace", theirs >= 0 ? probes::slot_upper_edge_ns(theirs) : 0}}}};
    if (Result<> written = bench::write_report(options.json_path, report); !written) {
      print_error("overhead", written.error());
      return kExitFailure;
    }
  }
  // The goals are reported, not enforced: figures from a busy machine inform, they do not fail.
  return kExitSuccess;
}

}  // namespace

Subcommand overhead_subcommand() {
  return {"overhead", kOverheadDescription, [](CLI::App& app) -> Action {
            auto options = std::make_shared<OverheadCommandOptions>();
            app.add_flag("--quick", options->quick, "one short round, as a smoke test");
            app.add_option("--rounds", options->rounds, "measure each tracer this many times")
                ->check(CLI::Range(1, 1000))
                ->capture_default_str();
            app.add_option("--batches", options->batches,
                           "timed batches per workload and round; the median counts")
                ->check(CLI::Range(1, 100000))
                ->capture_default_str();
            app.add_option(
                   "--attach-mode", options->attach_mode,
                   "force nsbench's attach mode: fentry, tp_btf, tracepoint, raw_tracepoint")
                ->check(CLI::IsMember({"fentry", "tp_btf", "tracepoint", "raw_tracepoint"}));
            app.add_option("--json", options->json_path, "write the figures to FILE as JSON");
            app.add_flag("-v,--verbose", options->verbose, "debug output, libbpf messages");
            return [options](const std::vector<std::string>& after_dash) {
              if (!after_dash.empty()) {
                print_error("overhead", "unexpected arguments after '--'");
                return kExitUsage;
              }
              return overhead(*options);
            };
          }};
}

}  // namespace nsbench::cli
