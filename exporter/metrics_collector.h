// The one source of every metric nsbench exports. Metrics are built afresh on each Collect() from
// the probes' current snapshot and the latest benchmark results, so the pull server, the push
// client and the textfile writer all publish the same families.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "bench/summary.h"
#include "probes/snapshot.h"

namespace nsbench::exporter {

// Returns the probes' current histograms and counters. Called from the server's worker threads, so
// it must be safe to call concurrently and must not throw.
using SnapshotProvider = std::function<probes::Snapshot()>;

class MetricsCollector : public prometheus::Collectable {
 public:
  // An empty provider means the probes are off: no probe families are exported then.
  explicit MetricsCollector(SnapshotProvider snapshot_provider = {});

  // Replaces the benchmark results; safe while a server is collecting. When two results share a
  // scenario name, the later one is exported (a scenario name is the series' only label).
  void set_benchmark_results(std::vector<bench::ScenarioSummary> results);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::vector<prometheus::MetricFamily> collect_probe_families() const;
  std::vector<prometheus::MetricFamily> collect_benchmark_families() const;

  SnapshotProvider snapshot_provider_;
  std::string kernel_release_;

  mutable std::mutex results_mutex_;
  std::vector<bench::ScenarioSummary> benchmark_results_;
};

}  // namespace nsbench::exporter
