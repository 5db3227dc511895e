#include "exporter/metrics_collector.h"

#include <sys/utsname.h>

#include <limits>
#include <map>
#include <utility>

#include "exporter/histogram_buckets.h"

namespace nsbench::exporter {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string read_kernel_release() {
  utsname names{};
  if (uname(&names) != 0)
    return "unknown";
  return names.release;
}

ClientMetric gauge(std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  return metric;
}

ClientMetric counter(std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  return metric;
}

ClientMetric counter(std::vector<ClientMetric::Label> labels, uint64_t value) {
  return counter(std::move(labels), static_cast<double>(value));
}

MetricFamily latency_family(const probes::Snapshot& snapshot) {
  MetricFamily family{"nsbench_syscall_duration_seconds",
                      "Time spent in namespace syscalls, measured in the kernel by the probes.",
                      MetricType::Histogram,
                      {}};
  for (const probes::LatencyHistogram& latency : snapshot.latencies) {
    ClientMetric metric;
    metric.label = {
        {"syscall", latency.syscall}, {"ns_type", latency.ns_type}, {"result", latency.result}};
    metric.histogram = to_prometheus_histogram(latency);
    family.metric.push_back(std::move(metric));
  }
  return family;
}

// One bucket per nesting level, le = 0, 1, ..., 32: each level is its own bucket, so the
// cumulative counts and the sum are exact rather than bucketed approximations.
ClientMetric::Histogram level_histogram(const probes::LevelHistogram& levels) {
  ClientMetric::Histogram histogram;
  uint64_t cumulative = 0;
  for (int level = 0; level <= probes::kMaxNamespaceLevel; ++level) {
    cumulative += levels.tasks[level];
    histogram.bucket.push_back({cumulative, static_cast<double>(level)});
  }
  histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  histogram.sample_count = cumulative;
  histogram.sample_sum = static_cast<double>(levels.sum());
  return histogram;
}

// The histogram of one namespace kind's levels, and the deepest level as a gauge of its own so
// that alerts need no histogram arithmetic. The gauge has no sample until a task was seen.
std::pair<MetricFamily, MetricFamily> level_families(const std::string& kind,
                                                     const probes::LevelHistogram& levels) {
  const std::string kind_name = kind == "pidns" ? "PID" : "user";
  ClientMetric histogram;
  histogram.histogram = level_histogram(levels);
  MetricFamily distribution{"nsbench_task_" + kind + "_level",
                            "New tasks by the nesting level of their " + kind_name +
                                " namespace (0 is the initial namespace), seen by the probes.",
                            MetricType::Histogram,
                            {std::move(histogram)}};

  MetricFamily deepest{"nsbench_task_max_" + kind + "_level",
                       "Deepest " + kind_name +
                           " namespace level of any task created since the probes were attached.",
                       MetricType::Gauge,
                       {}};
  if (const int max_level = levels.max_level(); max_level >= 0)
    deepest.metric.push_back(gauge({}, max_level));
  return {std::move(distribution), std::move(deepest)};
}

MetricFamily namespaces_created_family(const probes::Snapshot& snapshot) {
  MetricFamily family{"nsbench_namespaces_created_total",
                      "Namespaces created by successful clone, clone3 and unshare calls, by type.",
                      MetricType::Counter,
                      {}};
  for (const auto& [ns_type, created] : snapshot.namespaces_created)
    family.metric.push_back(counter({{"ns_type", ns_type}}, created));
  return family;
}

// The kernel's own account of each attached program: runs and run time, present only while BPF
// run-time statistics are on (otherwise the kernel leaves both at 0, which would read as idle).
std::vector<MetricFamily> program_families(const probes::Snapshot& snapshot) {
  if (!snapshot.run_time_stats)
    return {};
  MetricFamily runs{"nsbench_probe_runs_total",
                    "Runs of each attached eBPF program, counted by the kernel.",
                    MetricType::Counter,
                    {}};
  MetricFamily run_time{"nsbench_probe_run_seconds_total",
                        "Time spent inside each attached eBPF program, counted by the kernel.",
                        MetricType::Counter,
                        {}};
  for (const probes::ProgramStats& program : snapshot.programs) {
    runs.metric.push_back(counter({{"program", program.program}}, program.runs));
    run_time.metric.push_back(
        counter({{"program", program.program}}, static_cast<double>(program.run_time_ns) * 1e-9));
  }
  std::vector<MetricFamily> families;
  families.push_back(std::move(runs));
  families.push_back(std::move(run_time));
  return families;
}

}  // namespace

MetricsCollector::MetricsCollector(SnapshotProvider snapshot_provider)
    : snapshot_provider_(std::move(snapshot_provider)), kernel_release_(read_kernel_release()) {}

void MetricsCollector::set_benchmark_results(std::vector<bench::ScenarioSummary> results) {
  std::lock_guard lock(results_mutex_);
  benchmark_results_ = std::move(results);
}

std::vector<MetricFamily> MetricsCollector::Collect() const {
  std::vector<MetricFamily> families = collect_probe_families();
  for (MetricFamily& family : collect_benchmark_families())
    families.push_back(std::move(family));

  // A family without samples is noise to a reader of the exposition; leave it out.
  std::erase_if(families, [](const MetricFamily& family) { return family.metric.empty(); });
  return families;
}

std::vector<MetricFamily> MetricsCollector::collect_probe_families() const {
  if (!snapshot_provider_)
    return {};
  const probes::Snapshot snapshot = snapshot_provider_();

  MetricFamily info{
      "nsbench_probe_info",
      "Probes are loaded; labels give the attach mode in use and the kernel release.",
      MetricType::Gauge,
      {gauge({{"attach_mode", snapshot.attach_mode}, {"kernel", kernel_release_}}, 1)}};

  // A clone's child returns from the syscall without having entered it, so unmatched exits are
  // expected and are not lost events; they are exported beside the real losses for diagnosis only.
  MetricFamily lost{"nsbench_probe_events_lost_total",
                    "Probe events lost: exits earlier than their entry, failed map updates and "
                    "program runs the kernel skipped.",
                    MetricType::Counter,
                    {counter({}, snapshot.events_lost())}};
  uint64_t recursion_misses = 0;
  for (const probes::ProgramStats& program : snapshot.programs)
    recursion_misses += program.recursion_misses;
  MetricFamily dropped{"nsbench_probe_dropped_total",
                       "Probe events not recorded in a histogram, by reason. Unmatched exits are "
                       "expected (a clone's child returns without an entry).",
                       MetricType::Counter,
                       {counter({{"reason", "map_update_failed"}}, snapshot.map_update_failures),
                        counter({{"reason", "negative_delta"}}, snapshot.negative_deltas),
                        counter({{"reason", "program_skipped"}}, recursion_misses),
                        counter({{"reason", "unmatched_exit"}}, snapshot.unmatched_exits)}};

  std::vector<MetricFamily> families;
  families.push_back(latency_family(snapshot));
  families.push_back(std::move(info));
  families.push_back(std::move(lost));
  families.push_back(std::move(dropped));
  families.push_back(namespaces_created_family(snapshot));
  for (MetricFamily& family : program_families(snapshot))
    families.push_back(std::move(family));
  for (const auto& [kind, levels] :
       {std::pair{"pidns", &snapshot.pidns_levels}, std::pair{"userns", &snapshot.userns_levels}}) {
    auto [distribution, deepest] = level_families(kind, *levels);
    families.push_back(std::move(distribution));
    families.push_back(std::move(deepest));
  }
  return families;
}

std::vector<MetricFamily> MetricsCollector::collect_benchmark_families() const {
  // Keyed by scenario so that a repeated name yields one series (the last result), never two
  // samples with identical labels, which would make the whole exposition invalid.
  std::map<std::string, bench::ScenarioSummary> by_scenario;
  {
    std::lock_guard lock(results_mutex_);
    for (const bench::ScenarioSummary& result : benchmark_results_) {
      by_scenario.insert_or_assign(result.scenario, result);
    }
  }

  MetricFamily seconds{"nsbench_benchmark_seconds",
                       "Latency statistics of a benchmark scenario measured in user space.",
                       MetricType::Gauge,
                       {}};
  MetricFamily cv{"nsbench_benchmark_cv_ratio",
                  "Coefficient of variation (stddev / mean) of a benchmark scenario's latency.",
                  MetricType::Gauge,
                  {}};
  for (const auto& [scenario, result] : by_scenario) {
    const std::pair<const char*, double> stats[] = {{"median", result.median_seconds},
                                                    {"p99", result.p99_seconds},
                                                    {"mean", result.mean_seconds},
                                                    {"stddev", result.stddev_seconds}};
    for (const auto& [stat, value] : stats) {
      seconds.metric.push_back(gauge({{"scenario", scenario}, {"stat", stat}}, value));
    }
    cv.metric.push_back(gauge({{"scenario", scenario}}, result.cv_ratio));
  }

  std::vector<MetricFamily> families;
  families.push_back(std::move(seconds));
  families.push_back(std::move(cv));
  return families;
}

}  // namespace nsbench::exporter
