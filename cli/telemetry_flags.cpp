#include "cli/telemetry_flags.h"

#include <fmt/core.h>

namespace nsbench::cli {

void TelemetryFlags::declare(CLI::App& app) {
  app.add_option("--listen", listen_,
                 "serve /metrics at HOST:PORT while running (host defaults to 127.0.0.1)")
      ->check(checked_by(exporter::parse_listen_address));
  app.add_option("--attach-mode", attach_mode_,
                 "force a probe attach mode: fentry, tp_btf, tracepoint, raw_tracepoint")
      ->check(CLI::IsMember({"fentry", "tp_btf", "tracepoint", "raw_tracepoint"}));
  app.add_flag("--probe-stats", run_time_stats_,
               "have the kernel count the probes' own runs and run time (costs two clock reads "
               "per run of every eBPF program of the machine while on)");
  app.add_flag("-v,--verbose", verbose_, "debug output, libbpf messages");
}

Result<probes::NamespaceProbes> TelemetryFlags::attach_probes(probes::ProbeOptions options) const {
  options.verbose = verbose_;
  options.run_time_stats = run_time_stats_;
  if (!attach_mode_.empty())
    options.force_mode = probes::parse_attach_mode(attach_mode_);
  auto attached = probes::NamespaceProbes::attach(options);
  if (attached && verbose_) {
    for (const std::string& attempt : attached->attempts()) {
      fmt::print(stderr, "probes: {}\n", attempt);
    }
  }
  return attached;
}

Result<std::optional<exporter::MetricsServer>> TelemetryFlags::serve(
    const std::shared_ptr<prometheus::Collectable>& collectable) const {
  if (listen_.empty())
    return std::optional<exporter::MetricsServer>();
  auto started = exporter::MetricsServer::start(listen_, collectable);
  if (!started)
    return std::unexpected(started.error());
  fmt::print(stderr, "serving metrics at http://{}/metrics\n", started->address().to_string());
  return std::optional<exporter::MetricsServer>(std::move(*started));
}

}  // namespace nsbench::cli
