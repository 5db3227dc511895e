#include "engine/network_namespace.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/spawn.h"
#include "support.h"

namespace nsbench::engine {
namespace {

using namespace std::chrono_literals;

// Interface names of this test process: tests may run in parallel, and a name left behind by a
// crashed run must not break the next one.
std::string unique_name(std::string_view suffix) {
  return "nsb" + std::to_string(getpid()) + std::string(suffix);
}

// A /30 of 10.200.0.0/16 chosen by the PID, so that concurrent test processes do not share one.
Ipv4Network unique_network() {
  const auto pid = static_cast<uint32_t>(getpid());
  const uint32_t base = (10u << 24) | (200u << 16);
  return Ipv4Network{base | (((pid / 64) % 256) << 8) | ((pid % 64) * 4), 30};
}

bool interface_exists(const std::string& name) {
  return if_nametoindex(name.c_str()) != 0;
}

// Deletes the listed interfaces of the caller's network namespace when the test ends, passed or
// not. Deleting a veth end takes its peer along.
class InterfaceCleanup {
 public:
  explicit InterfaceCleanup(std::vector<std::string> names) : names_(std::move(names)) {}
  ~InterfaceCleanup() {
    for (const std::string& name : names_) {
      if (interface_exists(name))
        (void)delete_interface(name);
    }
  }
  InterfaceCleanup(const InterfaceCleanup&) = delete;
  InterfaceCleanup& operator=(const InterfaceCleanup&) = delete;

 private:
  std::vector<std::string> names_;
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0)
      close(std::exchange(fd_, -1));
  }

 private:
  int fd_;
};

// Interface flags as SIOCGIFFLAGS reports them in the caller's network namespace (unlike
// /sys/class/net, which shows the namespace of whoever mounted sysfs); -1 when there is no such
// interface.
int interface_flags(const std::string& name) {
  FileDescriptor probe(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (probe.get() < 0 || ioctl(probe.get(), SIOCGIFFLAGS, &request) < 0)
    return -1;
  return request.ifr_flags;
}

// The interface's primary IPv4 address in host byte order; 0 when it has none.
uint32_t interface_address(const std::string& name) {
  FileDescriptor probe(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (probe.get() < 0 || ioctl(probe.get(), SIOCGIFADDR, &request) < 0)
    return 0;
  return ntohl(reinterpret_cast<const sockaddr_in*>(&request.ifr_addr)->sin_addr.s_addr);
}

sockaddr_in socket_address(uint32_t address, uint16_t port) {
  sockaddr_in result{};
  result.sin_family = AF_INET;
  result.sin_addr.s_addr = htonl(address);
  result.sin_port = htons(port);
  return result;
}

// A TCP listener on `address` with a port the kernel picks; -1 on failure.
int listen_on(uint32_t address, uint16_t* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in bound = socket_address(address, 0);
  socklen_t length = sizeof bound;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof bound) < 0 ||
      listen(fd, 1) < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) < 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  *port = ntohs(bound.sin_port);
  return fd;
}

// A connected TCP socket, or -1 with errno set. The timeout keeps a lost SYN from stalling the
// test for minutes.
int connect_to(uint32_t address, uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  const timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const sockaddr_in target = socket_address(address, port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target) < 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

// Accepts one connection, waiting at most five seconds; -1 on failure.
int accept_one(int listener) {
  pollfd waiting{listener, POLLIN, 0};
  if (poll(&waiting, 1, 5000) != 1)
    return -1;
  return accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
}

// The kernel destroys a network namespace in a worker after its last process is gone, so the
// veth ends disappear a little after the exit, not at it: usually within tens of milliseconds,
// but about a second was seen with other namespace tests running in parallel, hence the margin.
constexpr auto kTeardownLimit = 5s;

// Whether the interface is gone by `limit`; see kTeardownLimit for why it is not immediate.
bool disappears_within(const std::string& name, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (interface_exists(name)) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::string children_of_this_process() {
  const std::string pid = std::to_string(getpid());
  std::ifstream in("/proc/" + pid + "/task/" + pid + "/children");
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

Result<> bring_up_loopback_and_namespace_end(const VethSpec& spec) {
  if (auto up = bring_up_loopback(); !up)
    return up;
  return configure_namespace_end(spec);
}

SpawnOptions options_with_veth(const VethSpec& spec) {
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::net});
  options.prepare_from_parent = [spec](pid_t child) { return create_veth_pair(spec, child); };
  options.prepare_in_child = [spec] { return bring_up_loopback_and_namespace_end(spec); };
  return options;
}

// --- parse_veth_spec ---

TEST(ParseVethSpec, ReadsBothNamesAndTheNetwork) {
  const auto spec = parse_veth_spec("nsb0h:nsb0n:10.200.0.0/30");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->host_interface, "nsb0h");
  EXPECT_EQ(spec->namespace_interface, "nsb0n");
  ASSERT_TRUE(spec->network);
  EXPECT_EQ(spec->network->to_string(), "10.200.0.0/30");
  EXPECT_EQ(format_ipv4(spec->network->host_end_address()), "10.200.0.1");
  EXPECT_EQ(format_ipv4(spec->network->namespace_end_address()), "10.200.0.2");
  EXPECT_EQ(format_ipv4(spec->network->broadcast_address()), "10.200.0.3");
}

TEST(ParseVethSpec, NetworkIsOptionalAndNamesMayHaveFifteenCharacters) {
  const auto spec = parse_veth_spec("fifteen-chars-h:n");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->host_interface, "fifteen-chars-h");
  EXPECT_EQ(spec->namespace_interface, "n");
  EXPECT_FALSE(spec->network);

  const auto wide = parse_veth_spec("a:b:10.200.0.0/16");
  ASSERT_TRUE(wide) << wide.error().message();
  EXPECT_EQ(wide->network->prefix_length, 16);
}

struct BadSpec {
  std::string text;
  std::string named_part;  // the Error's subject
};

class ParseVethSpecRefuses : public ::testing::TestWithParam<BadSpec> {};

TEST_P(ParseVethSpecRefuses, NamingTheBadPart) {
  const auto spec = parse_veth_spec(GetParam().text);
  ASSERT_FALSE(spec) << "accepted '" << GetParam().text << "'";
  EXPECT_EQ(spec.error().operation, "parse veth spec");
  EXPECT_EQ(spec.error().subject, GetParam().named_part);
  EXPECT_FALSE(spec.error().hint.empty());
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, ParseVethSpecRefuses,
    ::testing::Values(
        BadSpec{"sixteen-chars-hh:n", "sixteen-chars-hh"},
        BadSpec{"h:sixteen-chars-nn", "sixteen-chars-nn"}, BadSpec{"onlyone", "onlyone"},
        BadSpec{"", ""}, BadSpec{"h:", "h:"}, BadSpec{":n", ":n"}, BadSpec{"h:n:", "h:n:"},
        BadSpec{"h:n:10.200.0.0/30:x", "h:n:10.200.0.0/30:x"},
        BadSpec{"h:n:10.200.0.0/31", "10.200.0.0/31"},
        BadSpec{"h:n:10.200.0.0/32", "10.200.0.0/32"},
        BadSpec{"h:n:10.200.0.0/33", "10.200.0.0/33"}, BadSpec{"h:n:0.0.0.0/0", "0.0.0.0/0"},
        BadSpec{"h:n:10.200.0.0", "10.200.0.0"}, BadSpec{"h:n:10.200.0/30", "10.200.0/30"},
        BadSpec{"h:n:10.200.0.0/", "10.200.0.0/"}, BadSpec{"h:n:10.200.0.0/3x", "10.200.0.0/3x"},
        BadSpec{"h:n:10.200.0.1/30", "10.200.0.1/30"}, BadSpec{"h:n:300.1.1.0/30", "300.1.1.0/30"},
        BadSpec{"my if:n", "my if"}, BadSpec{"a/b:n", "a/b"}, BadSpec{"veth%d:n", "veth%d"},
        BadSpec{"..:n", ".."}, BadSpec{":::", ":::"}));

// --- loopback ---

TEST(NetworkNamespace, LoopbackOfANewNamespaceIsDownUntilBroughtUp) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::net});
  auto child = spawn_in_namespaces(options, [] {
    const int flags = interface_flags("lo");
    if (flags < 0)
      return 2;
    if ((flags & IFF_UP) != 0)
      return 3;
    // With lo down, 127.0.0.1 is not even routable.
    uint16_t port = 0;
    const int listener = listen_on(INADDR_LOOPBACK, &port);
    if (listener >= 0 && connect_to(INADDR_LOOPBACK, port) >= 0)
      return 4;
    return 0;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

TEST(NetworkNamespace, BroughtUpLoopbackCarriesTcp) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::net});
  options.prepare_in_child = bring_up_loopback;
  auto child = spawn_in_namespaces(options, [] {
    const int flags = interface_flags("lo");
    if (flags < 0 || (flags & IFF_UP) == 0)
      return 2;
    if (interface_address("lo") != INADDR_LOOPBACK)
      return 3;
    uint16_t port = 0;
    const int listener = listen_on(INADDR_LOOPBACK, &port);
    if (listener < 0)
      return 4;
    const int client = connect_to(INADDR_LOOPBACK, port);
    if (client < 0)
      return 5;
    const int server = accept_one(listener);
    if (server < 0)
      return 6;
    const char sent = 'x';
    char received = 0;
    if (write(client, &sent, 1) != 1 || read(server, &received, 1) != 1 || received != sent)
      return 7;
    return 0;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0)
      << "2: lo down, 3: no 127.0.0.1, 4: listen, 5: connect, 6: accept, 7: transfer";
}

// --- veth pairs ---

// What the child sees of its own network namespace, sent to the test over a pipe.
struct NamespaceReport {
  int loopback_flags = -1;
  int end_flags = -1;
  uint32_t end_address = 0;
  uint16_t port = 0;  // of the child's listener on the namespace end; 0 when listen failed
};

TEST(NetworkNamespace, VethPairConnectsHostAndNamespaceAndVanishesWithIt) {
  NSBENCH_REQUIRE_ROOT();
  const VethSpec spec{unique_name("vh"), unique_name("vn"), unique_network()};
  InterfaceCleanup cleanup({spec.host_interface});
  ASSERT_FALSE(interface_exists(spec.host_interface)) << "left over from an earlier run?";

  int report_pipe[2];
  ASSERT_EQ(pipe2(report_pipe, O_CLOEXEC), 0);
  FileDescriptor report_in(report_pipe[0]);
  FileDescriptor report_out(report_pipe[1]);

  auto child = spawn_in_namespaces(options_with_veth(spec), [&spec, &report_out] {
    NamespaceReport report;
    report.loopback_flags = interface_flags("lo");
    report.end_flags = interface_flags(spec.namespace_interface);
    report.end_address = interface_address(spec.namespace_interface);
    const int listener = listen_on(spec.network->namespace_end_address(), &report.port);
    if (write(report_out.get(), &report, sizeof report) != static_cast<ssize_t>(sizeof report) ||
        listener < 0)
      return 2;
    const int server = accept_one(listener);
    const char greeting = 'n';
    return server >= 0 && write(server, &greeting, 1) == 1 ? 0 : 3;
  });
  ASSERT_TRUE(child) << child.error().message();
  report_out.reset();  // so that a child dying early ends the read below

  NamespaceReport report;
  ASSERT_EQ(read(report_in.get(), &report, sizeof report), static_cast<ssize_t>(sizeof report));
  EXPECT_TRUE(report.loopback_flags >= 0 && (report.loopback_flags & IFF_UP) != 0);
  ASSERT_GE(report.end_flags, 0) << "no " << spec.namespace_interface << " in the namespace";
  EXPECT_NE(report.end_flags & IFF_UP, 0);
  EXPECT_EQ(format_ipv4(report.end_address), format_ipv4(spec.network->namespace_end_address()));
  EXPECT_FALSE(interface_exists(spec.namespace_interface)) << "the namespace end is on the host";

  const int host_flags = interface_flags(spec.host_interface);
  ASSERT_GE(host_flags, 0) << "no host end " << spec.host_interface;
  EXPECT_NE(host_flags & IFF_UP, 0);
  EXPECT_EQ(format_ipv4(interface_address(spec.host_interface)),
            format_ipv4(spec.network->host_end_address()));

  ASSERT_NE(report.port, 0) << "the child could not listen on its end";
  FileDescriptor client(connect_to(spec.network->namespace_end_address(), report.port));
  ASSERT_GE(client.get(), 0) << "connect to " << format_ipv4(spec.network->namespace_end_address())
                             << ": " << std::strerror(errno);
  char greeting = 0;
  EXPECT_EQ(read(client.get(), &greeting, 1), 1);
  EXPECT_EQ(greeting, 'n');
  client.reset();

  EXPECT_EQ(child->wait().value_or(-1), 0);
  EXPECT_TRUE(disappears_within(spec.host_interface, kTeardownLimit))
      << spec.host_interface << " outlived its namespace";
}

TEST(NetworkNamespace, ExistingHostNameFailsWithEexistAndLeavesNothingBehind) {
  NSBENCH_REQUIRE_ROOT();
  // An unrelated pair, both ends on the host, holds the name the spawn will ask for.
  const VethSpec existing{unique_name("xh"), unique_name("xo"), std::nullopt};
  InterfaceCleanup cleanup({existing.host_interface, unique_name("xn")});
  ASSERT_TRUE(create_veth_pair(existing, getpid()));
  const unsigned existing_index = if_nametoindex(existing.host_interface.c_str());
  const std::string children_before = children_of_this_process();

  const VethSpec clashing{existing.host_interface, unique_name("xn"), unique_network()};
  auto child = spawn_in_namespaces(options_with_veth(clashing), [] { return 0; });
  ASSERT_FALSE(child) << "a second " << clashing.host_interface << " was created";
  EXPECT_EQ(child.error().error_number, EEXIST);
  EXPECT_EQ(child.error().subject, clashing.host_interface);
  EXPECT_NE(child.error().message().find("already exists"), std::string::npos)
      << child.error().message();

  EXPECT_EQ(children_of_this_process(), children_before) << "spawn left a child behind";
  EXPECT_FALSE(interface_exists(clashing.namespace_interface));
  EXPECT_EQ(if_nametoindex(existing.host_interface.c_str()), existing_index);
  EXPECT_EQ(interface_address(existing.host_interface), 0u) << "the address went to the old one";
}

TEST(NetworkNamespace, FailedSetupInTheChildTakesThePairAlong) {
  NSBENCH_REQUIRE_ROOT();
  const VethSpec spec{unique_name("fh"), unique_name("fn"), std::nullopt};
  InterfaceCleanup cleanup({spec.host_interface});

  SpawnOptions options = options_with_veth(spec);
  options.prepare_in_child = [] { return plain_error("planned failure"); };
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().operation, "planned failure");
  EXPECT_TRUE(disappears_within(spec.host_interface, kTeardownLimit))
      << spec.host_interface << " outlived the failed child's namespace";
}

TEST(NetworkNamespace, WithoutCapNetAdminTheErrorSaysSo) {
  NSBENCH_REQUIRE_ROOT();
  // A child in a user namespace of its own has no capability over the host's network namespace:
  // the kernel refuses before looking at the request, so the host's lo is never touched.
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::user});
  options.prepare_in_child = [] { return set_interface_up("lo"); };
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().error_number, EPERM);
  EXPECT_EQ(child.error().subject, "lo");
  EXPECT_NE(child.error().hint.find("CAP_NET_ADMIN"), std::string::npos) << child.error().hint;
}

TEST(NetworkNamespace, CreateVethPairRefusesBadNamesBeforeAskingTheKernel) {
  const VethSpec spec{"much-too-long-name", "n", std::nullopt};
  const auto created = create_veth_pair(spec, getpid());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().subject, "much-too-long-name");
  EXPECT_EQ(created.error().error_number, 0);
}

TEST(NetworkNamespace, DeletingAMissingInterfaceNamesIt) {
  NSBENCH_REQUIRE_ROOT();
  const std::string name = unique_name("none");
  const auto deleted = delete_interface(name);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().error_number, ENODEV);
  EXPECT_EQ(deleted.error().subject, name);
}

}  // namespace
}  // namespace nsbench::engine
