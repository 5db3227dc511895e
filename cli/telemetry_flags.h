// The probe and metrics-server options shared by `run` and `trace` (--attach-mode, --probe-stats,
// -v, --listen),
// and the two steps they drive: attaching the probes and starting the /metrics server.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <prometheus/collectable.h>

#include "cli/command_line.h"
#include "common/result.h"
#include "exporter/metrics_server.h"
#include "probes/namespace_probes.h"

namespace nsbench::cli {

class TelemetryFlags {
 public:
  void declare(CLI::App& app);

  bool verbose() const { return verbose_; }
  // Whether --attach-mode named a mode: then that mode failing is an error, not a fallback.
  bool attach_mode_forced() const { return !attach_mode_.empty(); }

  // Attaches the probes with the forced mode, if any; with -v, lists every mode tried.
  Result<probes::NamespaceProbes> attach_probes(probes::ProbeOptions options = {}) const;

  // Starts serving /metrics when --listen was given (and says where on stderr); nothing otherwise.
  Result<std::optional<exporter::MetricsServer>> serve(
      const std::shared_ptr<prometheus::Collectable>& collectable) const;

 private:
  std::string attach_mode_;
  std::string listen_;
  bool run_time_stats_ = false;
  bool verbose_ = false;
};

}  // namespace nsbench::cli
