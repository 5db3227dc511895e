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
#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "cli/telemetry_launcher.h"
#include "probes/namespace_probes.h"
#include "probes/snapshot_reader.h"

namespace nsbench::cli {

namespace {

constexpr const char* kBpftrace = "bpftrace";
// Per traced call, nsbench should add at most this fraction of what bpftrace adds.
constexpr double kTracedCallGoal = 0.25;

struct OverheadCommandOptions {
  bool quick = false;
  int rounds = 15;
  int batches = 51;
  std::string attach_mode;
  std::string json_path;
  bool verbose = false;
};

// What the tracers leave for the report once they are stopped.
struct Observed {
  std::vector<probes::ProgramStats> programs;  // from the run with run-time statistics on
  std::vector<probes::LatencyHistogram> nsbench_setns;
  std::vector<std::vector<bench::BpftraceBucket>> bpftrace_setns;
};

std::string tracer_name(probes::AttachMode mode, bool run_time_stats) {
  return "nsbench/" + std::string(probes::name(mode)) + (run_time_stats ? "+stats" : "");
}

bench::Tracer nsbench_tracer(probes::AttachMode mode, bool run_time_stats, bool verbose,
                             Observed& observed) {
  return {tracer_name(mode, run_time_stats),
          [mode, run_time_stats, verbose, &observed]() -> Result<std::shared_ptr<void>> {
            auto attached = probes::NamespaceProbes::attach(
                {.force_mode = mode, .verbose = verbose, .run_time_stats = run_time_stats});
            if (!attached)
              return std::unexpected(attached.error());
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

// The attach modes to compare: the one forced, or every mode this kernel accepts, in the order
// nsbench tries them (so the first is the one it picks). Refused modes are said, not fatal.
Result<std::vector<probes::AttachMode>> loadable_modes(const OverheadCommandOptions& options) {
  std::vector<probes::AttachMode> modes;
  Error last_refusal;
  for (probes::AttachMode mode : probes::kAttachModes) {
    if (!options.attach_mode.empty() && probes::name(mode) != options.attach_mode)
      continue;
    auto attached =
        probes::NamespaceProbes::attach({.force_mode = mode, .verbose = options.verbose});
    if (attached) {
      modes.push_back(mode);
      continue;
    }
    fmt::print("{}: not measured, {}\n", tracer_name(mode, false), attached.error().message());
    last_refusal = attached.error();
  }
  if (modes.empty())
    return std::unexpected(last_refusal);
  return modes;
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
  auto modes = loadable_modes(options);
  if (!modes) {
    print_error("overhead", modes.error());
    return kExitFailure;
  }
  const probes::AttachMode picked = modes->front();

  Observed observed;
  std::vector<bench::Tracer> tracers;
  for (probes::AttachMode mode : *modes)
    tracers.push_back(nsbench_tracer(mode, false, options.verbose, observed));
  tracers.push_back(bpftrace_tracer(observed));
  tracers.push_back(nsbench_tracer(picked, true, options.verbose, observed));

  std::string names;
  for (const bench::Tracer& tracer : tracers)
    names += ", " + tracer.name;
  fmt::print("measuring {} round(s) of untraced{} in rotating order\n", options.rounds, names);
  std::fflush(stdout);

  auto result = bench::measure_overhead(tracers, {options.rounds, options.batches});
  if (!result) {
    print_error("overhead", result.error());
    return kExitFailure;
  }

  fmt::print(
      "\nper call, quietest of {} round(s) (each the median of {} batches); tracers: time "
      "added\n\n",
      options.rounds, options.batches);
  std::string header = fmt::format("{:<9} {:>10}", "workload", "untraced");
  for (const bench::Tracer& tracer : tracers)
    header += fmt::format(" {:>22}", tracer.name);
  fmt::print("{}\n", header);

  nlohmann::json rows = nlohmann::json::array();
  std::string goals;
  const std::string ours = tracer_name(picked, false);
  for (const bench::OverheadWorkload& workload : bench::overhead_workloads()) {
    const bench::OverheadFigure* untraced = result->find(workload.name, bench::kUntraced);
    std::string line = fmt::format("{:<9} {:>10}", workload.name,
                                   format_duration(untraced ? untraced->per_call_seconds : NAN));
    nlohmann::json row = {
        {"workload", workload.name}, {"traced", workload.traced}, {"call", workload.call}};
    for (const bench::Tracer& tracer : tracers) {
      const double added = result->added_seconds(workload.name, tracer.name);
      line += fmt::format(" {:>22}", signed_duration(added));
      row["added_seconds"][tracer.name] = added;
      row["added_seconds_paired_median"][tracer.name] =
          result->added_seconds_paired(workload.name, tracer.name);
    }
    for (const bench::OverheadFigure& figure : result->figures) {
      if (figure.workload == workload.name)
        row["per_call_seconds"][figure.tracer] = figure.round_seconds;
    }
    fmt::print("{}\n", line);

    // Traced calls: at most a quarter of what bpftrace adds. Others: no more than bpftrace adds.
    const double nsbench_added = result->added_seconds(workload.name, ours);
    const double bpftrace_added = result->added_seconds(workload.name, kBpftrace);
    const double ratio = nsbench_added / bpftrace_added;
    const bool met = workload.traced ? ratio <= kTracedCallGoal : nsbench_added <= bpftrace_added;
    goals +=
        workload.traced
            ? fmt::format("  {:<9} {} adds {:.2f} of what bpftrace adds (goal <= {:.2f}): {}\n",
                          workload.name, ours, ratio, kTracedCallGoal, met ? "met" : "MISSED")
            : fmt::format("  {:<9} {} adds {}, bpftrace {} (goal: no more): {}\n", workload.name,
                          ours, signed_duration(nsbench_added), signed_duration(bpftrace_added),
                          met ? "met" : "MISSED");
    row["ratio_to_bpftrace"] = ratio;
    row["goal_met"] = met;
    rows.push_back(std::move(row));
  }
  fmt::print("\ngoals, for {} (the mode nsbench picks here):\n{}", ours, goals);

  fmt::print("\nthe programs of {} by the kernel's run-time statistics:\n",
             tracer_name(picked, true));
  nlohmann::json programs = nlohmann::json::array();
  for (const probes::ProgramStats& program : observed.programs) {
    const double per_run = program.runs == 0 ? 0.0
                                             : static_cast<double>(program.run_time_ns) * 1e-9 /
                                                   static_cast<double>(program.runs);
    fmt::print("  {:<34} {:>10} runs {:>10} per run\n", program.program, program.runs,
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
  const int our_slot = nsbench_setns.slot_of_quantile(0.5);
  const int their_slot = bench::median_slot(observed.bpftrace_setns);
  const bool agree = our_slot >= 0 && their_slot >= 0 && std::abs(our_slot - their_slot) <= 1;
  fmt::print("\nkernel-side setns median: nsbench {}, bpftrace {} ({})\n", bucket_text(our_slot),
             bucket_text(their_slot), agree ? "same or adjacent log2 bucket" : "DISAGREE");

  if (!options.json_path.empty()) {
    nlohmann::json report = {
        {"context", bench::host_fingerprint()},
        {"picked_attach_mode", probes::name(picked)},
        {"rounds", options.rounds},
        {"batches", options.batches},
        {"bpftrace_script", bench::namespace_latency_bpftrace_script()},
        {"workloads", rows},
        {"programs", programs},
        {"setns_median_slot_upper_edge_ns",
         {{"nsbench", our_slot >= 0 ? probes::slot_upper_edge_ns(our_slot) : 0},
          {"bpftrace", their_slot >= 0 ? probes::slot_upper_edge_ns(their_slot) : 0}}}};
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
                ->check(whole_number_between(1, 1000))
                ->capture_default_str();
            app.add_option("--batches", options->batches,
                           "timed batches per workload and round; the median counts")
                ->check(whole_number_between(1, 100000))
                ->capture_default_str();
            app.add_option(
                   "--attach-mode", options->attach_mode,
                   "force nsbench's attach mode: fentry, tp_btf, tracepoint, raw_tracepoint")
                ->check(CLI::IsMember({"fentry", "tp_btf", "tracepoint", "raw_tracepoint"}));
            app.add_option("--json", options->json_path, "write the figures to FILE as JSON")
                ->check(checked_by(check_output_file));
            app.add_flag("-v,--verbose", options->verbose, "debug output, libbpf messages");
            return [options](const std::vector<std::string>& after_dash) {
              if (!after_dash.empty()) {
                print_error("overhead", "unexpected arguments after '--'");
                return usage_exit_code();
              }
              return overhead(*options);
            };
          }};
}

}  // namespace nsbench::cli
