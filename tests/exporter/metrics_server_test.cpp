#include "exporter/metrics_server.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "exporter/metrics_collector.h"
#include "http_helpers.h"
#include "promtool.h"
#include "sample_metrics.h"

namespace nsbench::exporter {
namespace {

std::shared_ptr<MetricsCollector> sample_collector() {
  auto collector = std::make_shared<MetricsCollector>([] { return testing::sample_snapshot(); });
  collector->set_benchmark_results(testing::sample_results());
  return collector;
}

TEST(ParseListenAddress, DefaultsToLoopbackWhenOnlyAPortIsGiven) {
  EXPECT_EQ(parse_listen_address(":9464")->to_string(), "127.0.0.1:9464");
  EXPECT_EQ(parse_listen_address("9464")->to_string(), "127.0.0.1:9464");
  EXPECT_EQ(parse_listen_address("localhost:9464")->to_string(), "127.0.0.1:9464");
  EXPECT_EQ(parse_listen_address("0.0.0.0:80")->to_string(), "0.0.0.0:80");
  EXPECT_EQ(parse_listen_address("127.0.0.1:0")->port, 0);
}

TEST(ParseListenAddress, RejectsMalformedAddressesNamingThem) {
  for (const std::string bad :
       {"", ":", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "host:9464",
        "256.1.1.1:9464", "[::1]:9464", "127.0.0.1:9464/metrics"}) {
    const auto address = parse_listen_address(bad);
    ASSERT_FALSE(address.has_value()) << bad;
    if (bad.empty())
      continue;
    EXPECT_NE(address.error().message().find("(" + bad + ")"), std::string::npos)
        << address.error().message();
  }
}

TEST(MetricsServer, ServesAValidExpositionOnAPortTheKernelChose) {
  const auto collector = sample_collector();
  auto server = MetricsServer::start("127.0.0.1:0", collector);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  ASSERT_NE(server->port(), 0);

  const auto response = testing::http_get(server->port(), "/metrics");

  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  for (const char* family :
       {"# TYPE nsbench_syscall_duration_seconds histogram", "# TYPE nsbench_probe_info gauge",
        "# TYPE nsbench_probe_events_lost_total counter", "# TYPE nsbench_benchmark_seconds gauge",
        "# TYPE nsbench_benchmark_cv_ratio gauge"}) {
    EXPECT_NE(response->body.find(family), std::string::npos) << family;
  }
  if (const auto promtool = testing::find_program("promtool")) {
    EXPECT_TRUE(testing::passes_promtool_check_metrics(*promtool, response->body));
  } else if (testing::running_in_ci()) {
    ADD_FAILURE() << "promtool is missing in CI";
  }
}

TEST(MetricsServer, ServesResultsSetAfterItStarted) {
  const auto collector = std::make_shared<MetricsCollector>();
  auto server = MetricsServer::start(":0", collector);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  EXPECT_EQ(server->address().host, "127.0.0.1");

  collector->set_benchmark_results(testing::sample_results());
  const auto response = testing::http_get(server->port(), "/metrics");

  ASSERT_TRUE(response.has_value());
  EXPECT_NE(response->body.find("nsbench_benchmark_cv_ratio{scenario=\"setns/mnt\"} 0.276"),
            std::string::npos)
      << response->body;
}

TEST(MetricsServer, PortInUseIsAnErrorNamingTheAddress) {
  const testing::LoopbackListener busy;
  ASSERT_NE(busy.port(), 0);
  const std::string address = "127.0.0.1:" + std::to_string(busy.port());

  const auto server = MetricsServer::start(address, sample_collector());

  ASSERT_FALSE(server.has_value());
  const std::string message = server.error().message();
  EXPECT_NE(message.find(address), std::string::npos) << message;
  EXPECT_NE(message.find("Address already in use"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(MetricsServer, MalformedAddressIsAnErrorNamingIt) {
  const auto server = MetricsServer::start("127.0.0.1:http", sample_collector());

  ASSERT_FALSE(server.has_value());
  EXPECT_NE(server.error().message().find("127.0.0.1:http"), std::string::npos);
}

TEST(MetricsServer, StopsListeningWhenDestroyed) {
  uint16_t port = 0;
  {
    auto server = MetricsServer::start("127.0.0.1:0", sample_collector());
    ASSERT_TRUE(server.has_value()) << server.error().message();
    port = server->port();
  }

  EXPECT_FALSE(testing::http_get(port, "/metrics").has_value());
}

TEST(MetricsServer, StopsWithoutWaitingOutTheServersPollInterval) {
  // The HTTP server checks for shutdown only between two-second waits for connections; stopping
  // wakes it. The bound is far above a stop's real cost and well below that wait.
  for (const char* address : {"127.0.0.1:0", "0.0.0.0:0"}) {
    std::optional<MetricsServer> server;
    auto started = MetricsServer::start(address, sample_collector());
    ASSERT_TRUE(started.has_value()) << started.error().message();
    server.emplace(std::move(*started));
    const auto begin = std::chrono::steady_clock::now();
    server.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(1500)) << address;
  }
}

TEST(MetricsServer, KeepsServingAfterAMove) {
  const auto collector = sample_collector();
  auto started = MetricsServer::start("127.0.0.1:0", collector);
  ASSERT_TRUE(started.has_value()) << started.error().message();

  MetricsServer server = std::move(*started);
  const auto response = testing::http_get(server.port(), "/metrics");

  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace nsbench::exporter
