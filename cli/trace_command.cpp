// `nsbench trace`: the probes alone, machine-wide: a live view of the namespace syscall
// histograms, and optionally /metrics for as long as it runs.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "cli/telemetry_flags.h"
#include "cli/telemetry_launcher.h"
#include "cli/trace_view.h"
#include "exporter/metrics_collector.h"
#include "probes/cgroup_id.h"

namespace nsbench::cli {

namespace {

struct TraceOptions {
  double interval_seconds = 1.0;
  double duration_seconds = 0;  // 0: until SIGINT or SIGTERM
  TelemetryFlags telemetry;
  std::string cgroup;
  pid_t pid = 0;
};

// --cgroup and --pid narrow the machine-wide view to one cgroup or one process tree.
Result<probes::ProbeOptions> filters_from(const TraceOptions& options) {
  probes::ProbeOptions filters;
  if (!options.cgroup.empty()) {
    auto id = probes::cgroup_id_of(options.cgroup);
    if (!id)
      return std::unexpected(id.error());
    filters.cgroup_id = *id;
  }
  if (options.pid > 0)
    filters.descendants_of = options.pid;
  return filters;
}

// SIGINT and SIGTERM are taken synchronously (sigtimedwait doubles as the refresh timer), so
// that the probes are always detached by the destructors on the way out. The mask is set before
// any thread starts, so the HTTP server's threads inherit it.
sigset_t block_stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

// Waits up to `seconds`; true when a stop signal arrived.
bool wait_for_stop(const sigset_t& stop, double seconds) {
  timespec timeout{};
  timeout.tv_sec = static_cast<time_t>(seconds);
  timeout.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
  return sigtimedwait(&stop, nullptr, &timeout) > 0;
}

int trace(const TraceOptions& options) {
  const sigset_t stop = block_stop_signals();

  auto filters = filters_from(options);
  if (!filters) {
    print_error("trace", filters.error());
    return kExitFailure;
  }
  auto probes = options.telemetry.attach_probes(*filters);
  if (!probes) {
    print_error("trace", probes.error());
    return kExitFailure;
  }

  auto collector =
      std::make_shared<exporter::MetricsCollector>([&probes] { return probes->snapshot(); });
  auto server = options.telemetry.serve(collector);
  if (!server) {
    print_error("trace", server.error());
    return kExitFailure;
  }

  const bool terminal = isatty(STDOUT_FILENO) == 1;
  const auto start = std::chrono::steady_clock::now();
  probes::Snapshot previous = probes->snapshot();
  auto previous_at = start;
  for (;;) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double wait = options.interval_seconds;
    if (options.duration_seconds > 0)
      wait = std::min(wait, options.duration_seconds - elapsed);
    const bool stopped = wait > 0 && wait_for_stop(stop, wait);

    const probes::Snapshot current = probes->snapshot();
    const auto now = std::chrono::steady_clock::now();
    // Rates over the time that did pass: the last view of a --duration that is not a multiple of
    // --interval, or one cut short by a signal, covers less than an interval.
    const double covered = std::chrono::duration<double>(now - previous_at).count();
    // On a terminal the view is redrawn in place; into a file or pipe, views follow each other.
    if (terminal)
      fmt::print("\033[H\033[2J");
    fmt::print("{}\n", format_trace_view(current, previous, covered));
    std::fflush(stdout);
    previous = current;
    previous_at = now;

    const bool done = options.duration_seconds > 0 && elapsed + wait >= options.duration_seconds;
    if (stopped || done)
      break;
  }
  return kExitSuccess;
}

}  // namespace

Subcommand trace_subcommand() {
  return {"trace", kTraceDescription, [](CLI::App& app) -> Action {
            auto options = std::make_shared<TraceOptions>();
            app.add_option("--interval", options->interval_seconds, "refresh every SECONDS")
                ->check(number_between(0.1, 3600.0))
                ->capture_default_str();
            app.add_option("--duration", options->duration_seconds,
                           "stop after SECONDS (default: run until interrupted)")
                ->check(number_between(0.1, 1e9));
            app.add_option("--cgroup", options->cgroup,
                           "count only tasks of this cgroup v2 directory (not its children)")
                ->check(checked_by([](const std::string& directory) -> Result<> {
                  // Empty would mean no filter at all: the whole machine, not what was asked.
                  if (directory.empty())
                    return plain_error("the value is empty", "", "give a cgroup v2 directory");
                  return {};
                }));
            app.add_option("--pid", options->pid,
                           "count only this process and the processes it starts from now on")
                ->check(whole_number_between(1, 1 << 22));
            options->telemetry.declare(app);
            return [options](const std::vector<std::string>& after_dash) {
              if (!after_dash.empty()) {
                print_error("trace", "unexpected arguments after '--'");
                return usage_exit_code();
              }
              return trace(*options);
            };
          }};
}

}  // namespace nsbench::cli
