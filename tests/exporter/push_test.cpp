#include "exporter/push.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "exporter/exposition.h"
#include "exporter/metrics_collector.h"
#include "http_helpers.h"
#include "sample_metrics.h"

namespace nsbench::exporter {
namespace {

// Stands in for a Pushgateway: accepts one connection on loopback, records the request and answers
// with `status`.
class OneShotGateway {
 public:
  explicit OneShotGateway(int status) {
    thread_ = std::thread([this, status] {
      const int connection = accept(listener_.fd(), nullptr, nullptr);
      if (connection < 0)
        return;
      char buffer[8192];
      // Read until the announced body has fully arrived.
      for (ssize_t n; (n = recv(connection, buffer, sizeof(buffer), 0)) > 0;) {
        request_.append(buffer, static_cast<size_t>(n));
        const size_t header_end = request_.find("\r\n\r\n");
        const size_t length_at = request_.find("Content-Length: ");
        if (header_end == std::string::npos || length_at == std::string::npos)
          continue;
        const size_t length = std::stoul(request_.substr(length_at + 16));
        if (request_.size() >= header_end + 4 + length)
          break;
      }
      const std::string response = "HTTP/1.1 " + std::to_string(status) +
                                   " Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      send(connection, response.data(), response.size(), MSG_NOSIGNAL);
      close(connection);
    });
  }
  ~OneShotGateway() {
    shutdown(listener_.fd(), SHUT_RDWR);  // unblocks accept() if no request came
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(listener_.port()); }
  // Valid once the push returned.
  const std::string& request() const { return request_; }

 private:
  testing::LoopbackListener listener_;
  std::string request_;
  std::thread thread_;
};

class PushToGateway : public ::testing::Test {
 protected:
  void SetUp() override { collector_.set_benchmark_results(testing::sample_results()); }

  MetricsCollector collector_{[] { return testing::sample_snapshot(); }};
};

TEST_F(PushToGateway, ReplacesTheJobsMetricsWithAPut) {
  OneShotGateway gateway(200);

  const auto pushed = push_to_gateway(gateway.url(), "nsbench", collector_);

  ASSERT_TRUE(pushed.has_value()) << pushed.error().message();
  EXPECT_EQ(gateway.request().rfind("PUT /metrics/job/nsbench ", 0), 0u) << gateway.request();
  EXPECT_NE(gateway.request().find(to_text_exposition(collector_)), std::string::npos)
      << gateway.request();
}

TEST_F(PushToGateway, RejectedPushIsAnErrorWithTheStatus) {
  OneShotGateway gateway(400);

  const auto pushed = push_to_gateway(gateway.url(), "nsbench", collector_);

  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message().find("HTTP 400"), std::string::npos)
      << pushed.error().message();
  EXPECT_NE(pushed.error().message().find(gateway.url()), std::string::npos);
}

TEST_F(PushToGateway, UnreachableGatewayIsAnErrorNamingTheUrl) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::unused_loopback_port());

  const auto pushed = push_to_gateway(url, "nsbench", collector_);

  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message().find(url), std::string::npos) << pushed.error().message();
}

TEST_F(PushToGateway, RejectsUrlsAndJobNamesItCannotUse) {
  EXPECT_FALSE(push_to_gateway("127.0.0.1:9091", "nsbench", collector_).has_value());
  EXPECT_FALSE(push_to_gateway("http://127.0.0.1:9091/prefix", "nsbench", collector_).has_value());
  EXPECT_FALSE(push_to_gateway("http://127.0.0.1:port", "nsbench", collector_).has_value());
  EXPECT_FALSE(push_to_gateway("http://127.0.0.1:9091", "a/b", collector_).has_value());
  EXPECT_FALSE(push_to_gateway("http://127.0.0.1:9091", "", collector_).has_value());
}

}  // namespace
}  // namespace nsbench::exporter
