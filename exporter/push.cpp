#include "exporter/push.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <prometheus/gateway.h>
#include <prometheus/metric_family.h>

namespace nsbench::exporter {
namespace {

constexpr const char* kOperation = "push metrics to gateway";
constexpr const char* kDefaultGatewayPort = "9091";

struct GatewayEndpoint {
  std::string scheme_and_host;  // "http://host", the form prometheus::Gateway takes as its host
  std::string port;
};

Result<GatewayEndpoint> parse_gateway_url(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return plain_error(kOperation, url, "give the gateway as http://HOST[:PORT]");
  }

  std::string authority = url.substr(scheme_end + 3);
  while (!authority.empty() && authority.back() == '/')
    authority.pop_back();

  // prometheus::Gateway appends "/metrics/job/..." right after the port, so a path prefix in the
  // URL would be dropped silently; refuse it instead.
  if (authority.empty() || authority.find('/') != std::string::npos) {
    return plain_error(kOperation, url, "give the gateway as http://HOST[:PORT], without a path");
  }

  // A colon followed by a ']' belongs to an IPv6 address, not to a port.
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string::npos && authority.find(']', colon) == std::string::npos;
  GatewayEndpoint endpoint{
      scheme + "://" + authority.substr(0, has_port ? colon : authority.size()),
      has_port ? authority.substr(colon + 1) : kDefaultGatewayPort};
  if (endpoint.port.empty() || endpoint.port.size() > 5 ||
      !std::ranges::all_of(endpoint.port, [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoi(endpoint.port) < 1 || std::stoi(endpoint.port) > 65535) {
    return plain_error(kOperation, url, "the port must be a number from 1 to 65535");
  }
  return endpoint;
}

// prometheus::Gateway puts the job name into the URL path unescaped.
bool is_valid_job_name(const std::string& job) {
  return !job.empty() && std::ranges::all_of(job, [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

// prometheus::Gateway holds collectables by weak_ptr; this owns nothing and forwards to the
// caller's collectable, which outlives the push.
class BorrowedCollectable : public prometheus::Collectable {
 public:
  explicit BorrowedCollectable(const prometheus::Collectable& inner) : inner_(inner) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return inner_.Collect(); }

 private:
  const prometheus::Collectable& inner_;
};

}  // namespace

Result<> check_job_name(const std::string& job) {
  if (!is_valid_job_name(job))
    return plain_error("job name", job, "give letters, digits, '_', '-' or '.'");
  return {};
}

Result<> check_gateway_url(const std::string& url) {
  if (Result<GatewayEndpoint> endpoint = parse_gateway_url(url); !endpoint)
    return std::unexpected(endpoint.error());
  return {};
}

Result<> push_to_gateway(const std::string& url, const std::string& job,
                         const prometheus::Collectable& collectable) {
  Result<GatewayEndpoint> endpoint = parse_gateway_url(url);
  if (!endpoint)
    return std::unexpected(endpoint.error());
  if (Result<> valid = check_job_name(job); !valid)
    return valid;

  const auto borrowed = std::make_shared<BorrowedCollectable>(collectable);
  int status = 0;
  try {
    prometheus::Gateway gateway(endpoint->scheme_and_host, endpoint->port, job);
    gateway.RegisterCollectable(borrowed);
    // prometheus-cpp names its methods the other way round from the Pushgateway API and the Go
    // client: PushAdd() sends PUT, which replaces the whole group; Push() sends POST, which would
    // keep metric families an earlier run pushed and this one does not have (probes now off).
    status = gateway.PushAdd();
  } catch (const std::exception& exception) {
    return plain_error(kOperation, url, exception.what());
  }

  // PushAdd() returns the HTTP status, or a negated libcurl error code when no response came.
  if (status < 0) {
    return plain_error(
        kOperation, url,
        fmt::format("no response (libcurl error {}); is a Pushgateway listening there?", -status));
  }
  if (status < 200 || status >= 300) {
    return plain_error(kOperation, url, fmt::format("the gateway answered HTTP {}", status));
  }
  return {};
}

}  // namespace nsbench::exporter
