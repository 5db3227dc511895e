// `nsbench trace`: the probes alone, machine-wide: a live view of the namespace syscall
// histograms, and optionally /metrics for as long as it runs.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "cli/exit_codes.h"
#include "cli/subcommand.h"
#include "cli/trace_view.h"
#include "exporter/metrics_collector.h"
#include "exporter/metrics_server.h"
#include "probes/namespace_probes.h"

namespace nsbench::cli {

namespace {

struct TraceOptions {
  double interval_seconds = 1.0;
  double duration_seconds = 0;  // 0: until SIGINT or SIGTERM
  std::string listen;
  std::string attach_mode;
  bool verbose = false;
};

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

  probes::ProbeOptions probe_options;
  probe_options.verbose = options.verbose;
  if (!options.attach_mode.empty()) {
    probe_options.force_mode = probes::parse_attach_mode(options.attach_mode);
  }
  auto probes = probes::NamespaceProbes::attach(probe_options);
  if (!probes) {
    print_error("trace", probes.error());
    return kExitFailure;
  }

  auto collector =
      std::make_shared<exporter::MetricsCollector>([&probes] { return probes->snapshot(); });
  std::optional<exporter::MetricsServer> server;
  if (!options.listen.empty()) {
    auto started = exporter::MetricsServer::start(options.listen, collector);
    if (!started) {
      print_error("trace", started.error());
      return kExitFailure;
    }
    fmt::print(stderr, "serving metrics at http://{}/metrics\n", started->address().to_string());
    server = std::move(*started);
  }

  const bool terminal = isatty(STDOUT_FILENO) == 1;
  const auto start = std::chrono::steady_clock::now();
  probes::Snapshot previous = probes->snapshot();
  for (;;) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double wait = options.interval_seconds;
    if (options.duration_seconds > 0)
      wait = std::min(wait, options.duration_seconds - elapsed);
    const bool stopped = wait > 0 && wait_for_stop(stop, wait);

    const probes::Snapshot current = probes->snapshot();
    // On a terminal the view is redrawn in place; into a file or pipe, views follow each other.
    if (terminal)
      fmt::print("\033[H\033[2J");
    fmt::print("{}\n", format_trace_view(current, previous, options.interval_seconds));
    std::fflush(stdout);
    previous = current;

    const bool done = options.duration_seconds > 0 && elapsed + wait >= options.duration_seconds;
    if (stopped || done)
      break;
  }
  return kExitSuccess;
}

}  // namespace

Subcommand trace_subcommand() {
  return {"trace", "Show live histograms of every namespace syscall on this machine",
          [](CLI::App& app) -> Action {
            auto options = std::make_shared<TraceOptions>();
            app.add_option("--interval", options->interval_seconds, "refresh every SECONDS")
                ->check(CLI::Range(0.1, 3600.0))
                ->capture_default_str();
            app.add_option("--duration", options->duration_seconds,
                           "stop after SECONDS (default: run until interrupted)")
                ->check(CLI::Range(0.1, 1e9));
            app.add_option("--listen", options->listen,
                           "serve /metrics at HOST:PORT while tracing (host defaults to "
                           "127.0.0.1)");
            app.add_option("--attach-mode", options->attach_mode,
                           "force a probe attach mode: fentry, tp_btf, tracepoint, raw_tracepoint")
                ->check(CLI::IsMember({"fentry", "tp_btf", "tracepoint", "raw_tracepoint"}));
            app.add_flag("-v,--verbose", options->verbose, "debug output, libbpf messages");
            return [options](const std::vector<std::string>& after_dash) {
              if (!after_dash.empty()) {
                print_error("trace", "unexpected arguments after '--'");
                return kExitUsage;
              }
              return trace(*options);
            };
          }};
}

}  // namespace nsbench::cli
