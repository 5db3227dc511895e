// A minimal HTTP/1.0 client and port helpers for tests that talk to servers on loopback only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace nsbench::testing {

struct HttpResponse {
  int status = 0;
  std::string body;
};

inline sockaddr_in loopback_address(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// One request on a fresh connection. HTTP/1.0 makes the server close the connection after the
// response and never use chunked encoding, so reading to EOF yields the whole body.
inline std::optional<HttpResponse> http_request(uint16_t port, const std::string& method,
                                                const std::string& target,
                                                const std::string& body = {}) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return std::nullopt;
  const timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  const sockaddr_in address = loopback_address(port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return std::nullopt;
  }

  std::string request = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  if (!body.empty())
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return std::nullopt;
  }

  std::string raw;
  char buffer[8192];
  for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
    raw.append(buffer, static_cast<size_t>(n));
  }
  close(fd);

  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  const size_t header_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || header_end == std::string::npos)
    return std::nullopt;
  HttpResponse response;
  response.status = std::stoi(raw.substr(raw.find(' ') + 1, 3));
  response.body = raw.substr(header_end + 4);
  return response;
}

inline std::optional<HttpResponse> http_get(uint16_t port, const std::string& target) {
  return http_request(port, "GET", target);
}

// A loopback socket listening on a port the kernel chose; closes on destruction. Holding it keeps
// the port busy, which is how the tests provoke "address in use".
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback_address(0);
    socklen_t length = sizeof(address);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd_, 8) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length)) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  ~LoopbackListener() {
    if (fd_ >= 0)
      close(fd_);
  }

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }  // 0 when setting up failed

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port that was free a moment ago, for programs that take a fixed port on the command line.
inline uint16_t unused_loopback_port() {
  return LoopbackListener().port();
}

}  // namespace nsbench::testing
