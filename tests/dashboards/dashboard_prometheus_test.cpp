// Runs every dashboard query against a real Prometheus scraping a real MetricsServer, so that the
// queries are known to return data, not only to parse.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../exporter/http_helpers.h"
#include "../exporter/process_helpers.h"
#include "../exporter/sample_metrics.h"
#include "dashboard_queries.h"
#include "exporter/metrics_collector.h"
#include "exporter/metrics_server.h"

namespace nsbench::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

// An instant query; the parsed "data" member, or null when the query failed.
json instant_query(uint16_t port, const std::string& promql) {
  const auto response = http_get(port, "/api/v1/query?query=" + url_encode(promql));
  if (!response || response->status != 200)
    return nullptr;
  const json body = json::parse(response->body, nullptr, false);
  if (body.is_discarded() || body.value("status", "") != "success")
    return nullptr;
  return body["data"];
}

// Polls `condition` every 200 ms until it holds or `timeout` passes.
template <typename Condition>
bool eventually(std::chrono::seconds timeout, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(200ms);
  }
  return condition();
}

class DashboardOnPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "nsbench-prometheus-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    prometheus_.reset();  // stop it before its data directory goes
    fs::remove_all(directory_);
  }

  // Scrapes every second, so that rate() has two samples within three seconds.
  void start_prometheus(const std::string& binary, uint16_t target_port) {
    const fs::path config = directory_ / "prometheus.yml";
    std::ofstream(config) << "global:\n"
                          << "  scrape_interval: 1s\n"
                          << "scrape_configs:\n"
                          << "  - job_name: nsbench\n"
                          << "    static_configs:\n"
                          << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    prometheus_port_ = unused_loopback_port();
    prometheus_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{
            binary, "--config.file=" + config.string(),
            "--storage.tsdb.path=" + (directory_ / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_),
            "--log.level=warn"},
        (directory_ / "prometheus.log").string());
  }

  std::string prometheus_log() const {
    std::ifstream in(directory_ / "prometheus.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path directory_;
  uint16_t prometheus_port_ = 0;
  std::unique_ptr<BackgroundProcess> prometheus_;
};

TEST_F(DashboardOnPrometheus, EveryQueryReturnsDataFromAScrapedExporter) {
  NSBENCH_REQUIRE_PROGRAM(prometheus, "prometheus", "prometheus");

  // Counters must grow between scrapes, or every rate() is 0 and every quantile NaN.
  auto scrapes = std::make_shared<std::atomic<uint64_t>>(0);
  const auto collector = std::make_shared<exporter::MetricsCollector>(
      [scrapes] { return sample_snapshot(++*scrapes); });
  collector->set_benchmark_results(sample_results());
  auto server = exporter::MetricsServer::start("127.0.0.1:0", collector);
  ASSERT_TRUE(server.has_value()) << server.error().message();

  start_prometheus(*prometheus, server->port());
  ASSERT_TRUE(prometheus_->started());
  ASSERT_TRUE(eventually(20s,
                         [&] {
                           const json data =
                               instant_query(prometheus_port_, "count_over_time(up[1m])");
                           return data.is_object() && !data["result"].empty() &&
                                  std::stod(data["result"][0]["value"][1].get<std::string>()) >= 3;
                         }))
      << "Prometheus did not scrape the exporter three times:\n"
      << prometheus_log();

  for (const DashboardQuery& query : dashboard_queries(load_dashboard())) {
    const std::string promql = substitute_grafana_variables(query.promql);
    const json data = instant_query(prometheus_port_, promql);
    ASSERT_TRUE(data.is_object()) << query.where << ": " << promql << " failed";
    ASSERT_FALSE(data["result"].empty()) << query.where << ": " << promql << " returned nothing";
    for (const json& series : data["result"]) {
      const double value = std::stod(series["value"][1].get<std::string>());
      EXPECT_TRUE(std::isfinite(value)) << query.where << ": " << series.dump();
    }
  }

  // The heatmap gets one row per exported edge plus +Inf.
  const json buckets = instant_query(
      prometheus_port_, "count(count by (le) (nsbench_syscall_duration_seconds_bucket))");
  ASSERT_TRUE(buckets.is_object());
  EXPECT_EQ(buckets["result"][0]["value"][1], "24");
}

}  // namespace
}  // namespace nsbench::testing
