#include "exporter/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <exception>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <prometheus/exposer.h>

namespace nsbench::exporter {
namespace {

constexpr const char* kDefaultHost = "127.0.0.1";
constexpr const char* kParseOperation = "parse metrics listen address";
constexpr const char* kAddressForms = "expected HOST:PORT, :PORT or PORT";

std::unexpected<Error> address_error(const std::string& text, const std::string& problem) {
  return plain_error(kParseOperation, text, fmt::format("{} ({})", problem, kAddressForms));
}

// The HTTP server reports a failed start only as "problem binding to port". Binding the same
// address once more recovers the errno that explains it (usually EADDRINUSE or EACCES). Returns 0
// when the second attempt succeeds, e.g. because the other listener has just gone away.
int errno_of_bind(const ListenAddress& address) {
  const int socket_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket_fd < 0)
    return errno;

  // The HTTP server sets SO_REUSEADDR too; without it, a port in TIME_WAIT would be blamed.
  const int enable = 1;
  setsockopt(socket_fd, SOL_SOCKET, SO_REUSEADDR, &enable, sizeof(enable));

  sockaddr_in socket_address{};
  socket_address.sin_family = AF_INET;
  socket_address.sin_port = htons(address.port);
  inet_pton(AF_INET, address.host.c_str(), &socket_address.sin_addr);

  int bind_errno = 0;
  if (bind(socket_fd, reinterpret_cast<const sockaddr*>(&socket_address), sizeof(socket_address)) !=
      0) {
    bind_errno = errno;
  }
  close(socket_fd);
  return bind_errno;
}

std::string bind_hint(int bind_errno) {
  switch (bind_errno) {
    case 0:
      return "the HTTP server could not start there";
    case EADDRINUSE:
      return "another process listens there; choose another port, or port 0 for any free one";
    case EACCES:
      return "ports below 1024 need CAP_NET_BIND_SERVICE";
    case EADDRNOTAVAIL:
      return "no local interface has this address";
    default:
      return {};
  }
}

// Opens and at once closes a TCP connection to `address`; whether it succeeds does not matter.
void knock(const ListenAddress& address) {
  const int socket_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket_fd < 0)
    return;
  sockaddr_in socket_address{};
  socket_address.sin_family = AF_INET;
  socket_address.sin_port = htons(address.port);
  // A server bound to every interface is reached on loopback.
  const std::string host = address.host == "0.0.0.0" ? kDefaultHost : address.host;
  inet_pton(AF_INET, host.c_str(), &socket_address.sin_addr);
  connect(socket_fd, reinterpret_cast<const sockaddr*>(&socket_address), sizeof(socket_address));
  close(socket_fd);
}

}  // namespace

std::string ListenAddress::to_string() const {
  return fmt::format("{}:{}", host, port);
}

Result<ListenAddress> parse_listen_address(const std::string& text) {
  if (text.empty())
    return address_error(text, "the address is empty");

  const size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::string port_text = colon == std::string::npos ? text : text.substr(colon + 1);

  // civetweb as Debian builds it rejects "[::1]:PORT" as an invalid port spec; saying why here
  // is clearer than its message.
  if (host.find_first_of(":[]") != std::string::npos) {
    return address_error(text, "IPv6 addresses are not supported, give an IPv4 address");
  }
  if (host.empty() || host == "localhost")
    host = kDefaultHost;
  in_addr parsed_host{};
  if (inet_pton(AF_INET, host.c_str(), &parsed_host) != 1) {
    return address_error(text, fmt::format("host '{}' is not an IPv4 address", host));
  }

  uint16_t port = 0;
  const char* port_end = port_text.data() + port_text.size();
  const auto [end, error] = std::from_chars(port_text.data(), port_end, port);
  if (port_text.empty() || error != std::errc{} || end != port_end) {
    return address_error(text, fmt::format("port '{}' is not a number from 0 to 65535", port_text));
  }
  return ListenAddress{std::move(host), port};
}

Result<MetricsServer> MetricsServer::start(const std::string& listen_address,
                                           std::weak_ptr<prometheus::Collectable> collectable) {
  Result<ListenAddress> address = parse_listen_address(listen_address);
  if (!address)
    return std::unexpected(address.error());

  // prometheus-cpp reports a failed bind by throwing from the constructor; turn that into a value
  // here so that no exception leaves the exporter.
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(address->to_string());
  } catch (const std::exception&) {
    const int bind_errno = errno_of_bind(*address);
    return std::unexpected(
        Error{"serve metrics", address->to_string(), bind_errno, bind_hint(bind_errno)});
  }
  exposer->RegisterCollectable(collectable);

  const std::vector<int> ports = exposer->GetListeningPorts();
  if (!ports.empty())
    address->port = static_cast<uint16_t>(ports.front());
  return MetricsServer(std::move(exposer), std::move(*address));
}

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, ListenAddress address)
    : exposer_(std::move(exposer)), address_(std::move(address)) {}

MetricsServer::MetricsServer(MetricsServer&&) noexcept = default;
MetricsServer& MetricsServer::operator=(MetricsServer&&) noexcept = default;
MetricsServer::~MetricsServer() {
  if (!exposer_)
    return;
  // civetweb's accept loop sits in poll() for up to two seconds before it looks at the stop flag
  // that shutting down sets, which made every exit with --listen hang that long. A connection to
  // the server's own port wakes the loop: a helper thread knocks until the shutdown is over.
  std::atomic<bool> stopped = false;
  std::thread knocker([this, &stopped] {
    while (!stopped.load()) {
      knock(address_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped = true;
  knocker.join();
}

}  // namespace nsbench::exporter
