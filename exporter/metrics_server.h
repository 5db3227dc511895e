// Serves /metrics over HTTP for Prometheus to scrape, on a background thread pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <prometheus/collectable.h>

#include "common/result.h"

namespace prometheus {
class Exposer;
}

namespace nsbench::exporter {

// An IPv4 address and port to listen on.
struct ListenAddress {
  std::string host;   // dotted IPv4
  uint16_t port = 0;  // 0 lets the kernel choose a free port

  std::string to_string() const;  // "HOST:PORT"
};

// Accepts "HOST:PORT", ":PORT" and "PORT"; the host defaults to 127.0.0.1 so that metrics are not
// published beyond the machine unless asked for. "localhost" means 127.0.0.1.
Result<ListenAddress> parse_listen_address(const std::string& text);

class MetricsServer {
 public:
  // Starts serving `collectable` at http://ADDRESS/metrics. The server holds only a weak reference:
  // once the collectable is gone, scrapes get an empty exposition.
  static Result<MetricsServer> start(const std::string& listen_address,
                                     std::weak_ptr<prometheus::Collectable> collectable);

  MetricsServer(MetricsServer&&) noexcept;
  MetricsServer& operator=(MetricsServer&&) noexcept;
  ~MetricsServer();  // stops serving and joins the server's threads

  // The address actually bound, with the port the kernel chose when 0 was asked for.
  const ListenAddress& address() const { return address_; }
  uint16_t port() const { return address_.port; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, ListenAddress address);

  std::unique_ptr<prometheus::Exposer> exposer_;
  ListenAddress address_;
};

}  // namespace nsbench::exporter
