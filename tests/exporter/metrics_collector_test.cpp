#include "exporter/metrics_collector.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "exporter/exposition.h"
#include "exporter/histogram_buckets.h"
#include "promtool.h"
#include "sample_metrics.h"

namespace nsbench::exporter {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

const MetricFamily* find_family(const std::vector<MetricFamily>& families,
                                const std::string& name) {
  const auto it = std::ranges::find(families, name, &MetricFamily::name);
  return it == families.end() ? nullptr : &*it;
}

std::string label(const ClientMetric& metric, const std::string& name) {
  const auto it = std::ranges::find(metric.label, name, &ClientMetric::Label::name);
  return it == metric.label.end() ? "" : it->value;
}

MetricsCollector collector_with_probes() {
  return MetricsCollector([] { return testing::sample_snapshot(); });
}

TEST(MetricsCollector, ExportsOneHistogramPerSyscallNamespaceTypeAndResult) {
  const auto families = collector_with_probes().Collect();

  const MetricFamily* latency = find_family(families, "nsbench_syscall_duration_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->type, MetricType::Histogram);
  ASSERT_EQ(latency->metric.size(), 4u);
  const ClientMetric& failed_setns = latency->metric[2];
  EXPECT_EQ(label(failed_setns, "syscall"), "setns");
  EXPECT_EQ(label(failed_setns, "ns_type"), "mnt");
  EXPECT_EQ(label(failed_setns, "result"), "error");
  EXPECT_EQ(failed_setns.histogram.sample_count, 2u);
  EXPECT_EQ(failed_setns.histogram.bucket.front().cumulative_count, 1u);  // 900 ns
}

TEST(MetricsCollector, ExportsProbeInfoAndLossCountersWithoutCountingUnmatchedExitsAsLost) {
  const auto families = collector_with_probes().Collect();

  const MetricFamily* info = find_family(families, "nsbench_probe_info");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->metric.size(), 1u);
  EXPECT_EQ(info->metric[0].gauge.value, 1.0);
  EXPECT_EQ(label(info->metric[0], "attach_mode"), "tracepoint");
  EXPECT_FALSE(label(info->metric[0], "kernel").empty());

  const MetricFamily* lost = find_family(families, "nsbench_probe_events_lost_total");
  ASSERT_NE(lost, nullptr);
  EXPECT_EQ(lost->type, MetricType::Counter);
  // 1 negative delta + 2 failed map updates + 1 program run skipped
  EXPECT_EQ(lost->metric.at(0).counter.value, 4.0);

  const MetricFamily* dropped = find_family(families, "nsbench_probe_dropped_total");
  ASSERT_NE(dropped, nullptr);
  std::vector<std::pair<std::string, double>> by_reason;
  for (const ClientMetric& metric : dropped->metric) {
    by_reason.emplace_back(label(metric, "reason"), metric.counter.value);
  }
  EXPECT_EQ(by_reason, (std::vector<std::pair<std::string, double>>{{"map_update_failed", 2},
                                                                    {"negative_delta", 1},
                                                                    {"program_skipped", 1},
                                                                    {"unmatched_exit", 7}}));
}

TEST(MetricsCollector, ExportsEachProgramsRunsAndRunTimeWhileTheKernelCountsThem) {
  const auto families = collector_with_probes().Collect();

  const MetricFamily* runs = find_family(families, "nsbench_probe_runs_total");
  const MetricFamily* run_time = find_family(families, "nsbench_probe_run_seconds_total");
  ASSERT_NE(runs, nullptr);
  ASSERT_NE(run_time, nullptr);
  EXPECT_EQ(runs->type, MetricType::Counter);
  ASSERT_EQ(runs->metric.size(), 2u);
  EXPECT_EQ(label(runs->metric[0], "program"), "tracepoint_enter_setns");
  EXPECT_EQ(runs->metric[0].counter.value, 100.0);
  EXPECT_DOUBLE_EQ(run_time->metric[1].counter.value, 3e-6);

  // Without run-time statistics the kernel counts nothing, and zeros would read as idle programs.
  MetricsCollector without_stats([] {
    probes::Snapshot snapshot = testing::sample_snapshot();
    snapshot.run_time_stats = false;
    return snapshot;
  });
  const auto unaccounted = without_stats.Collect();
  EXPECT_EQ(find_family(unaccounted, "nsbench_probe_runs_total"), nullptr);
  EXPECT_EQ(find_family(unaccounted, "nsbench_probe_run_seconds_total"), nullptr);
}

TEST(MetricsCollector, ExportsNoProbeFamiliesWhenProbesAreOff) {
  MetricsCollector collector;
  collector.set_benchmark_results(testing::sample_results());

  const auto families = collector.Collect();

  EXPECT_EQ(find_family(families, "nsbench_probe_info"), nullptr);
  EXPECT_EQ(find_family(families, "nsbench_syscall_duration_seconds"), nullptr);
  EXPECT_EQ(find_family(families, "nsbench_probe_events_lost_total"), nullptr);
  EXPECT_NE(find_family(families, "nsbench_benchmark_seconds"), nullptr);
}

TEST(MetricsCollector, ExportsFourStatisticsAndTheCvOfEachScenario) {
  MetricsCollector collector;
  collector.set_benchmark_results(testing::sample_results());

  const auto families = collector.Collect();

  const MetricFamily* seconds = find_family(families, "nsbench_benchmark_seconds");
  ASSERT_NE(seconds, nullptr);
  EXPECT_EQ(seconds->type, MetricType::Gauge);
  EXPECT_EQ(seconds->metric.size(), 3u * 4u);
  const auto median_of_net = std::ranges::find_if(seconds->metric, [](const ClientMetric& m) {
    return label(m, "scenario") == "create/net" && label(m, "stat") == "median";
  });
  ASSERT_NE(median_of_net, seconds->metric.end());
  EXPECT_EQ(median_of_net->gauge.value, 41e-3);

  const MetricFamily* cv = find_family(families, "nsbench_benchmark_cv_ratio");
  ASSERT_NE(cv, nullptr);
  ASSERT_EQ(cv->metric.size(), 3u);
}

TEST(MetricsCollector, ARepeatedScenarioExportsOnlyTheLaterResult) {
  auto results = testing::sample_results();
  results.push_back(results.front());
  results.back().median_seconds = 1.0;
  MetricsCollector collector;
  collector.set_benchmark_results(results);

  const auto families = collector.Collect();

  const MetricFamily* cv = find_family(families, "nsbench_benchmark_cv_ratio");
  ASSERT_NE(cv, nullptr);
  EXPECT_EQ(cv->metric.size(), 3u);
  const std::string text = to_text_exposition(collector);
  EXPECT_NE(text.find("nsbench_benchmark_seconds{scenario=\"create/uts\",stat=\"median\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(MetricsCollector, EveryFamilyHasHelpText) {
  MetricsCollector collector([] { return testing::sample_snapshot(); });
  collector.set_benchmark_results(testing::sample_results());

  for (const MetricFamily& family : collector.Collect()) {
    EXPECT_FALSE(family.help.empty()) << family.name;
  }
}

TEST(MetricsCollector, TextExpositionWritesExactLeEdgesAndOneInfBucket) {
  MetricsCollector collector([] {
    probes::Snapshot snapshot;
    snapshot.attach_mode = "tp_btf";
    snapshot.latencies = {testing::histogram_of("setns", "net", "ok", {1024, 1025})};
    return snapshot;
  });

  const std::string text = to_text_exposition(collector);

  const std::string series =
      "nsbench_syscall_duration_seconds_bucket{syscall=\"setns\",ns_type=\"net\",result=\"ok\",";
  EXPECT_NE(text.find(series + "le=\"1.024e-06\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find(series + "le=\"2.048e-06\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find(series + "le=\"4.294967296\"} 2\n"), std::string::npos) << text;
  const std::string inf_bucket = series + "le=\"+Inf\"} 2\n";
  const size_t inf = text.find(inf_bucket);
  ASSERT_NE(inf, std::string::npos) << text;
  EXPECT_EQ(text.find(series + "le=\"+Inf\"", inf + inf_bucket.size()), std::string::npos)
      << "+Inf written twice:\n"
      << text;
  EXPECT_NE(text.find("nsbench_syscall_duration_seconds_count{syscall=\"setns\",ns_type=\"net\","
                      "result=\"ok\"} 2\n"),
            std::string::npos);
}

TEST(MetricsCollector, EveryLeLabelParsesToItsPowerOfTwoEdgeExactly) {
  MetricsCollector collector([] {
    probes::Snapshot snapshot;
    snapshot.latencies = {testing::histogram_of("unshare", "pid", "ok", {5'000})};
    return snapshot;
  });
  // Only the latency family's lines: the level histograms have `le` labels of their own.
  std::string text;
  std::istringstream exposition(to_text_exposition(collector));
  for (std::string line; std::getline(exposition, line);) {
    if (line.starts_with("nsbench_syscall_duration_seconds_bucket{"))
      text += line + "\n";
  }

  // Prometheus reads `le` as a float; it must be the very double of 2^k ns, which is also what
  // the short decimal ("1.024e-06") parses to.
  int slot = kFirstExportedSlot;
  for (size_t at = text.find("le=\""); at != std::string::npos; at = text.find("le=\"", at + 1)) {
    const size_t begin = at + 4;
    const std::string le = text.substr(begin, text.find('"', begin) - begin);
    if (le == "+Inf")
      continue;
    const double edge = std::strtod(le.c_str(), nullptr);
    EXPECT_EQ(edge, static_cast<double>(uint64_t{1} << slot) / 1e9) << le;
    EXPECT_EQ(edge, std::strtod((std::to_string(uint64_t{1} << slot) + "e-9").c_str(), nullptr))
        << le;
    ++slot;
  }
  EXPECT_EQ(slot, kLastExportedSlot + 1);
}

// The lines of `text` that start with `prefix`, in order.
std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (line.starts_with(prefix))
      lines.push_back(line);
  }
  return lines;
}

probes::Snapshot snapshot_with_levels() {
  probes::Snapshot snapshot;
  snapshot.attach_mode = "tp_btf";
  snapshot.pidns_levels.tasks[0] = 5;
  snapshot.pidns_levels.tasks[1] = 2;
  snapshot.pidns_levels.tasks[32] = 1;
  snapshot.userns_levels.tasks[0] = 7;
  snapshot.userns_levels.tasks[3] = 1;
  return snapshot;
}

TEST(MetricsCollector, LevelHistogramsHaveOneCumulativeBucketPerLevelFromZeroToThirtyTwo) {
  MetricsCollector collector([] { return snapshot_with_levels(); });

  const std::string text = to_text_exposition(collector);

  std::vector<std::string> expected;
  for (int level = 0; level <= 32; ++level) {
    const int cumulative = level == 0 ? 5 : level < 32 ? 7 : 8;
    expected.push_back("nsbench_task_pidns_level_bucket{le=\"" + std::to_string(level) + "\"} " +
                       std::to_string(cumulative));
  }
  expected.push_back("nsbench_task_pidns_level_bucket{le=\"+Inf\"} 8");
  EXPECT_EQ(lines_starting_with(text, "nsbench_task_pidns_level_bucket"), expected) << text;
  EXPECT_EQ(lines_starting_with(text, "nsbench_task_pidns_level_count"),
            std::vector<std::string>{"nsbench_task_pidns_level_count 8"});
  // 2 tasks at level 1 and one at level 32.
  EXPECT_EQ(lines_starting_with(text, "nsbench_task_pidns_level_sum"),
            std::vector<std::string>{"nsbench_task_pidns_level_sum 34"});

  const std::vector<std::string> user = lines_starting_with(text, "nsbench_task_userns_level_");
  EXPECT_NE(std::ranges::find(user, "nsbench_task_userns_level_bucket{le=\"2\"} 7"), user.end());
  EXPECT_NE(std::ranges::find(user, "nsbench_task_userns_level_bucket{le=\"3\"} 8"), user.end());
  EXPECT_NE(std::ranges::find(user, "nsbench_task_userns_level_sum 3"), user.end());
}

TEST(MetricsCollector, LevelHistogramsAreExportedEmptyBeforeAnyTaskAndTheirMaximaAreNot) {
  MetricsCollector collector([] { return probes::Snapshot{}; });

  const auto families = collector.Collect();

  for (const char* name : {"nsbench_task_pidns_level", "nsbench_task_userns_level"}) {
    const MetricFamily* levels = find_family(families, name);
    ASSERT_NE(levels, nullptr) << name;
    EXPECT_EQ(levels->type, MetricType::Histogram);
    ASSERT_EQ(levels->metric.size(), 1u);
    EXPECT_EQ(levels->metric[0].histogram.sample_count, 0u);
    EXPECT_EQ(levels->metric[0].histogram.bucket.size(), 34u);  // 0 to 32, then +Inf
  }
  EXPECT_EQ(find_family(families, "nsbench_task_max_pidns_level"), nullptr);
  EXPECT_EQ(find_family(families, "nsbench_task_max_userns_level"), nullptr);
}

TEST(MetricsCollector, ExportsTheDeepestLevelOfEachNamespaceKindAsAGauge) {
  const auto families = MetricsCollector([] { return snapshot_with_levels(); }).Collect();

  const MetricFamily* pid = find_family(families, "nsbench_task_max_pidns_level");
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(pid->type, MetricType::Gauge);
  ASSERT_EQ(pid->metric.size(), 1u);
  EXPECT_EQ(pid->metric[0].gauge.value, 32.0);
  const MetricFamily* user = find_family(families, "nsbench_task_max_userns_level");
  ASSERT_NE(user, nullptr);
  ASSERT_EQ(user->metric.size(), 1u);
  EXPECT_EQ(user->metric[0].gauge.value, 3.0);
}

TEST(MetricsCollector, ExportsNamespacesCreatedAsACounterPerType) {
  const auto families = collector_with_probes().Collect();

  const MetricFamily* created = find_family(families, "nsbench_namespaces_created_total");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->type, MetricType::Counter);
  std::map<std::string, double> by_type;
  for (const ClientMetric& metric : created->metric)
    by_type[label(metric, "ns_type")] = metric.counter.value;
  EXPECT_EQ(by_type, (std::map<std::string, double>{{"cgroup", 0},
                                                    {"ipc", 0},
                                                    {"mnt", 4},
                                                    {"net", 5},
                                                    {"pid", 20},
                                                    {"time", 0},
                                                    {"user", 2},
                                                    {"uts", 20}}));
}

TEST(MetricsCollector, LevelFamiliesPassPromtoolAtEveryLevel) {
  NSBENCH_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  MetricsCollector collector([] {
    probes::Snapshot snapshot = snapshot_with_levels();
    for (int level = 0; level <= probes::kMaxNamespaceLevel; ++level)
      snapshot.userns_levels.tasks[level] = static_cast<uint64_t>(level);
    return snapshot;
  });

  EXPECT_TRUE(testing::passes_promtool_check_metrics(*promtool, to_text_exposition(collector)));
}

TEST(MetricsCollector, TextExpositionPassesPromtool) {
  NSBENCH_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  MetricsCollector collector([] { return testing::sample_snapshot(); });
  collector.set_benchmark_results(testing::sample_results());

  EXPECT_TRUE(testing::passes_promtool_check_metrics(*promtool, to_text_exposition(collector)));
}

TEST(MetricsCollector, BenchmarkResultsCanBeReplacedWhileCollecting) {
  MetricsCollector collector([] { return testing::sample_snapshot(); });
  std::atomic<bool> stop = false;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto results = testing::sample_results();
      results.resize(static_cast<size_t>(i % 4));
      collector.set_benchmark_results(std::move(results));
    }
  });

  for (int i = 0; i < 200; ++i) {
    for (const MetricFamily& family : collector.Collect()) {
      if (family.name == "nsbench_benchmark_seconds") {
        EXPECT_EQ(family.metric.size() % 4, 0u);
      }
    }
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace nsbench::exporter
