#include "engine/network_namespace.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <vector>

namespace nsbench::engine {

namespace {

// libmnl, loaded on first use rather than linked: most nsbench commands never configure a network
// namespace, and loading one more shared library at every start costs about 0.1 ms, as much as
// separates util-linux's unshare from the bare syscalls it makes.
// clang-format off
#define NSBENCH_MNL_FUNCTIONS(X) \
  X(nlmsg_put_header)            \
  X(nlmsg_put_extra_header)      \
  X(nlmsg_get_payload)           \
  X(nlmsg_get_payload_len)       \
  X(nlmsg_get_payload_tail)      \
  X(nlmsg_ok)                    \
  X(nlmsg_next)                  \
  X(attr_get_type)               \
  X(attr_validate)               \
  X(attr_get_str)                \
  X(attr_parse)                  \
  X(attr_put_strz)               \
  X(attr_put_u32)                \
  X(attr_nest_start)             \
  X(attr_nest_end)
// clang-format on

struct MnlFunctions {
#define NSBENCH_DECLARE(name) decltype(&::mnl_##name) name = nullptr;
  NSBENCH_MNL_FUNCTIONS(NSBENCH_DECLARE)
#undef NSBENCH_DECLARE
};

constexpr const char* kMnlLibrary = "libmnl.so.0";

// The functions, or nullptr when the library or one of them cannot be found.
const MnlFunctions* loaded_mnl() {
  static const MnlFunctions* const functions = []() -> const MnlFunctions* {
    void* library = dlopen(kMnlLibrary, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr)
      return nullptr;
    static MnlFunctions table;
#define NSBENCH_RESOLVE(name)                                                        \
  table.name = reinterpret_cast<decltype(table.name)>(dlsym(library, "mnl_" #name)); \
  if (table.name == nullptr)                                                         \
    return nullptr;
    NSBENCH_MNL_FUNCTIONS(NSBENCH_RESOLVE)
#undef NSBENCH_RESOLVE
    return &table;
  }();
  return functions;
}

// Only after load_network_library() succeeded: every entry point below checks it first.
const MnlFunctions& mnl() {
  return *loaded_mnl();
}

// Every request here is a few hundred bytes and every answer an acknowledgement, whose echo of
// the request NETLINK_CAP_ACK cuts off.
constexpr size_t kMessageBufferSize = 8192;

// A validated interface name, null-terminated without allocating: the namespace end is
// configured in a freshly cloned child, where the less is allocated the better.
struct InterfaceName {
  char text[IFNAMSIZ] = {};

  explicit InterfaceName(std::string_view name) {
    std::memcpy(text, name.data(), std::min(name.size(), sizeof text - 1));
  }
};

std::string hint_for_interface(int error_number, std::string_view interface) {
  switch (error_number) {
    case EPERM:
      return "configuring interfaces needs CAP_NET_ADMIN in the network namespace";
    case ENODEV:
      return "no interface named '" + std::string(interface) + "' in this network namespace";
    default:
      return {};
  }
}

// The error for a request the kernel refused: the caller's hint (or a common one), followed by
// the kernel's own explanation when it gave one.
std::unexpected<Error> refusal(std::string operation, std::string_view interface, int error_number,
                               std::string hint, const std::string& kernel_message) {
  if (hint.empty())
    hint = hint_for_interface(error_number, interface);
  if (!kernel_message.empty() && hint.empty())
    hint = "kernel: " + kernel_message;
  else if (!kernel_message.empty())
    hint += " (kernel: " + kernel_message + ")";
  return std::unexpected(
      Error{std::move(operation), std::string(interface), error_number, std::move(hint)});
}

int keep_kernel_message(const nlattr* attribute, void* data) {
  if (mnl().attr_get_type(attribute) == NLMSGERR_ATTR_MSG &&
      mnl().attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0) {
    *static_cast<std::string*>(data) = mnl().attr_get_str(attribute);
  }
  return MNL_CB_OK;
}

// An rtnetlink socket of the caller's network namespace: the namespace a netlink socket talks to
// is fixed when the socket is created, so one must be opened after entering the namespace.
class RouteSocket {
 public:
  RouteSocket() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
    if (fd_ < 0) {
      open_error_ = errno;
      return;
    }
    // Ask for the kernel's reason with each refusal (extended ack), and for short answers. Both
    // are refinements: older kernels lacking them still answer with an errno.
    const int on = 1;
    (void)setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    (void)setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
  }
  ~RouteSocket() {
    if (fd_ >= 0)
      close(fd_);
  }
  RouteSocket(const RouteSocket&) = delete;
  RouteSocket& operator=(const RouteSocket&) = delete;

  // Sends `request` and waits for the kernel's acknowledgement. Returns 0 when the kernel carried
  // the request out, otherwise an errno: the kernel's reason for refusing, or why the exchange
  // itself failed.
  int exchange(nlmsghdr* request) {
    kernel_message_.clear();
    if (fd_ < 0)
      return open_error_;
    request->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    request->nlmsg_seq = ++sequence_;

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd_, request, request->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
      return errno;
    }

    alignas(nlmsghdr) char answer[kMessageBufferSize];
    for (;;) {
      const ssize_t got = recv(fd_, answer, sizeof answer, 0);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return errno;
      if (got == 0)
        return EIO;
      int remaining = static_cast<int>(got);
      for (auto* reply = reinterpret_cast<const nlmsghdr*>(answer);
           mnl().nlmsg_ok(reply, remaining); reply = mnl().nlmsg_next(reply, &remaining)) {
        if (reply->nlmsg_seq == request->nlmsg_seq && reply->nlmsg_type == NLMSG_ERROR)
          return read_acknowledgement(reply);
      }
    }
  }

  // The kernel's explanation of its last refusal; empty when it gave none.
  const std::string& kernel_message() const { return kernel_message_; }

 private:
  int read_acknowledgement(const nlmsghdr* reply) {
    if (mnl().nlmsg_get_payload_len(reply) < sizeof(nlmsgerr))
      return EPROTO;
    const auto* acknowledgement = static_cast<const nlmsgerr*>(mnl().nlmsg_get_payload(reply));
    if (acknowledgement->error != 0 && (reply->nlmsg_flags & NLM_F_ACK_TLVS) != 0) {
      // The explanation follows the echo of the request, of which a capped answer keeps only the
      // header.
      size_t offset = sizeof(nlmsgerr);
      if ((reply->nlmsg_flags & NLM_F_CAPPED) == 0)
        offset += acknowledgement->msg.nlmsg_len - sizeof(nlmsghdr);
      mnl().attr_parse(reply, static_cast<unsigned>(offset), keep_kernel_message, &kernel_message_);
    }
    return -acknowledgement->error;
  }

  int fd_ = -1;
  int open_error_ = 0;
  uint32_t sequence_ = 0;
  std::string kernel_message_;
};

// A zeroed link message for `type`, addressed by name rather than index.
nlmsghdr* start_link_message(char* buffer, uint16_t type, const InterfaceName& name) {
  nlmsghdr* message = mnl().nlmsg_put_header(buffer);
  message->nlmsg_type = type;
  auto* link = static_cast<ifinfomsg*>(mnl().nlmsg_put_extra_header(message, sizeof(ifinfomsg)));
  link->ifi_family = AF_UNSPEC;
  mnl().attr_put_strz(message, IFLA_IFNAME, name.text);
  return message;
}

int request_link_up(RouteSocket& socket, const InterfaceName& name) {
  alignas(nlmsghdr) char buffer[kMessageBufferSize];
  nlmsghdr* message = start_link_message(buffer, RTM_NEWLINK, name);
  // Without NLM_F_CREATE, RTM_NEWLINK changes the existing interface; ifi_change selects the
  // flags to change, so that only IFF_UP is touched.
  auto* link = static_cast<ifinfomsg*>(mnl().nlmsg_get_payload(message));
  link->ifi_flags = IFF_UP;
  link->ifi_change = IFF_UP;
  return socket.exchange(message);
}

int request_delete(RouteSocket& socket, const InterfaceName& name) {
  alignas(nlmsghdr) char buffer[kMessageBufferSize];
  return socket.exchange(start_link_message(buffer, RTM_DELLINK, name));
}

int request_veth_pair(RouteSocket& socket, const InterfaceName& host_end,
                      const InterfaceName& namespace_end, pid_t namespace_pid) {
  alignas(nlmsghdr) char buffer[kMessageBufferSize];
  nlmsghdr* message = start_link_message(buffer, RTM_NEWLINK, host_end);
  message->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;

  nlattr* link_info = mnl().attr_nest_start(message, IFLA_LINKINFO);
  mnl().attr_put_strz(message, IFLA_INFO_KIND, "veth");
  nlattr* veth_data = mnl().attr_nest_start(message, IFLA_INFO_DATA);
  nlattr* peer = mnl().attr_nest_start(message, VETH_INFO_PEER);
  // The peer is described like a link of its own: an ifinfomsg, then its attributes.
  std::memset(mnl().nlmsg_get_payload_tail(message), 0, sizeof(ifinfomsg));
  message->nlmsg_len += MNL_ALIGN(sizeof(ifinfomsg));
  mnl().attr_put_strz(message, IFLA_IFNAME, namespace_end.text);
  // Created directly in the target namespace, the peer never shows up in the caller's, where its
  // name might clash with an existing interface. The PID cannot have been recycled: the caller
  // is its parent and has not reaped it.
  mnl().attr_put_u32(message, IFLA_NET_NS_PID, static_cast<uint32_t>(namespace_pid));
  mnl().attr_nest_end(message, peer);
  mnl().attr_nest_end(message, veth_data);
  mnl().attr_nest_end(message, link_info);
  return socket.exchange(message);
}

uint32_t network_mask(int prefix_length) {
  return prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - prefix_length);
}

int request_ipv4_address(RouteSocket& socket, unsigned interface_index, uint32_t address,
                         int prefix_length) {
  alignas(nlmsghdr) char buffer[kMessageBufferSize];
  nlmsghdr* message = mnl().nlmsg_put_header(buffer);
  message->nlmsg_type = RTM_NEWADDR;
  message->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  auto* header = static_cast<ifaddrmsg*>(mnl().nlmsg_put_extra_header(message, sizeof(ifaddrmsg)));
  header->ifa_family = AF_INET;
  header->ifa_prefixlen = static_cast<unsigned char>(prefix_length);
  header->ifa_scope = RT_SCOPE_UNIVERSE;
  header->ifa_index = interface_index;

  // IFA_LOCAL is the interface's own address. IFA_ADDRESS gets the same value, or the kernel would
  // take it for the address of a point-to-point peer. Unlike ioctl, rtnetlink does not derive the
  // broadcast address.
  mnl().attr_put_u32(message, IFA_LOCAL, htonl(address));
  mnl().attr_put_u32(message, IFA_ADDRESS, htonl(address));
  if (prefix_length <= 30)
    mnl().attr_put_u32(message, IFA_BROADCAST, htonl(address | ~network_mask(prefix_length)));
  return socket.exchange(message);
}

Result<> add_address(RouteSocket& socket, std::string_view interface, uint32_t address,
                     int prefix_length) {
  // The operation's name is built only on failure: see InterfaceName.
  auto operation = [&] {
    return "add address " + format_ipv4(address) + "/" + std::to_string(prefix_length);
  };
  const InterfaceName name(interface);
  const unsigned index = if_nametoindex(name.text);
  if (index == 0) {
    return system_error(operation(), std::string(interface), hint_for_interface(errno, interface));
  }
  const int error_number = request_ipv4_address(socket, index, address, prefix_length);
  if (error_number != 0) {
    return refusal(operation(), interface, error_number,
                   error_number == EEXIST ? "the interface already has this address" : "",
                   socket.kernel_message());
  }
  return {};
}

Result<> set_up(RouteSocket& socket, std::string_view interface, const char* operation) {
  if (const int error_number = request_link_up(socket, InterfaceName(interface));
      error_number != 0) {
    return refusal(operation, interface, error_number, {}, socket.kernel_message());
  }
  return {};
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos)
      return parts;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

Result<> load_network_library() {
  if (loaded_mnl() == nullptr) {
    return plain_error("load " + std::string(kMnlLibrary), "",
                       "configuring network interfaces needs libmnl: apt-get install libmnl0");
  }
  return {};
}

uint32_t Ipv4Network::broadcast_address() const {
  return address | ~network_mask(prefix_length);
}

std::string Ipv4Network::to_string() const {
  return format_ipv4(address) + "/" + std::to_string(prefix_length);
}

std::string format_ipv4(uint32_t address) {
  const in_addr network_order{htonl(address)};
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &network_order, text, sizeof text);
  return text;
}

Result<Ipv4Network> parse_ipv4_network(std::string_view text) {
  const std::string subject(text);
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return plain_error("parse IPv4 network", subject,
                       "expected ADDRESS/PREFIX, e.g. 10.200.0.0/30");
  }

  in_addr parsed{};
  const std::string address_text(text.substr(0, slash));
  if (inet_pton(AF_INET, address_text.c_str(), &parsed) != 1) {
    return plain_error("parse IPv4 network", subject,
                       "'" + address_text + "' is not a dotted-quad IPv4 address");
  }

  const std::string_view prefix_text = text.substr(slash + 1);
  int prefix_length = -1;
  const auto [end, status] =
      std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix_length);
  if (prefix_text.empty() || status != std::errc() ||
      end != prefix_text.data() + prefix_text.size() || prefix_length < 0 || prefix_length > 32) {
    return plain_error("parse IPv4 network", subject, "the prefix length must be 1 to 30");
  }
  if (prefix_length > 30) {
    return plain_error("parse IPv4 network", subject,
                       "a /31 or /32 has no room for both ends of a veth pair: use /30 or shorter");
  }
  if (prefix_length == 0) {
    return plain_error("parse IPv4 network", subject,
                       "a /0 would route every address through the veth pair");
  }

  const Ipv4Network network{ntohl(parsed.s_addr), prefix_length};
  if ((network.address & ~network_mask(prefix_length)) != 0) {
    const Ipv4Network cleared{network.address & network_mask(prefix_length), prefix_length};
    return plain_error("parse IPv4 network", subject,
                       "host bits are set: the network is " + cleared.to_string());
  }
  return network;
}

Result<> validate_interface_name(std::string_view name) {
  // Nothing is allocated unless the name is bad: see InterfaceName.
  static_assert(IFNAMSIZ == 16, "the message below counts 15 characters");
  const char* problem = nullptr;
  if (name.empty())
    problem = "an interface name cannot be empty";
  else if (name.size() >= IFNAMSIZ)
    problem = "an interface name has at most 15 characters";
  else if (name == "." || name == "..")
    problem = "'.' and '..' are not interface names";
  for (const char c : name) {
    // The kernel refuses '/', ':' and whitespace; a '%' would make it pick a name of its own
    // ("veth%d" becomes "veth0"), after which nsbench could not find the interface by name.
    if (c == '/' || c == ':' || c == '%' || std::isspace(static_cast<unsigned char>(c)))
      problem = "an interface name cannot contain '/', ':', '%' or whitespace";
  }
  if (problem != nullptr)
    return plain_error("check interface name", std::string(name), problem);
  return {};
}

Result<VethSpec> parse_veth_spec(std::string_view text) {
  constexpr std::string_view kExpected =
      "expected HOST_IF:NS_IF[:CIDR], e.g. nsb0h:nsb0n:10.200.0.0/30";
  const std::vector<std::string_view> parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 3)
    return plain_error("parse veth spec", std::string(text), std::string(kExpected));

  // An error names the bad part; an empty part is best shown in its context.
  auto refuse = [&](Error error, std::string_view part, std::string_view label) {
    error.operation = "parse veth spec";
    if (part.empty()) {
      error.subject = std::string(text);
      error.hint = std::string(label) + " is empty; " + std::string(kExpected);
    }
    return std::unexpected(std::move(error));
  };

  if (auto valid = validate_interface_name(parts[0]); !valid)
    return refuse(valid.error(), parts[0], "HOST_IF");
  if (auto valid = validate_interface_name(parts[1]); !valid)
    return refuse(valid.error(), parts[1], "NS_IF");
  VethSpec spec{std::string(parts[0]), std::string(parts[1]), std::nullopt};

  if (parts.size() == 3) {
    auto network = parse_ipv4_network(parts[2]);
    if (!network)
      return refuse(network.error(), parts[2], "CIDR");
    spec.network = *network;
  }
  return spec;
}

Result<> bring_up_loopback() {
  if (auto loaded = load_network_library(); !loaded)
    return loaded;
  RouteSocket socket;
  return set_up(socket, "lo", "bring up loopback");
}

Result<> set_interface_up(std::string_view name) {
  if (auto loaded = load_network_library(); !loaded)
    return loaded;
  if (auto valid = validate_interface_name(name); !valid)
    return valid;
  RouteSocket socket;
  return set_up(socket, name, "set interface up");
}

Result<> add_ipv4_address(std::string_view interface_name, uint32_t address, int prefix_length) {
  if (auto loaded = load_network_library(); !loaded)
    return loaded;
  if (auto valid = validate_interface_name(interface_name); !valid)
    return valid;
  if (prefix_length < 0 || prefix_length > 32) {
    return plain_error("add address " + format_ipv4(address), std::string(interface_name),
                       "the prefix length must be 0 to 32");
  }
  RouteSocket socket;
  return add_address(socket, interface_name, address, prefix_length);
}

Result<> delete_interface(std::string_view name) {
  if (auto loaded = load_network_library(); !loaded)
    return loaded;
  if (auto valid = validate_interface_name(name); !valid)
    return valid;
  RouteSocket socket;
  if (const int error_number = request_delete(socket, InterfaceName(name)); error_number != 0)
    return refusal("delete interface", name, error_number, {}, socket.kernel_message());
  return {};
}

Result<> create_veth_pair(const VethSpec& spec, pid_t namespace_pid) {
  if (auto loaded = load_network_library(); !loaded)
    return loaded;
  if (auto valid = validate_interface_name(spec.host_interface); !valid)
    return valid;
  if (auto valid = validate_interface_name(spec.namespace_interface); !valid)
    return valid;

  RouteSocket socket;
  const InterfaceName host_end(spec.host_interface);
  const int error_number =
      request_veth_pair(socket, host_end, InterfaceName(spec.namespace_interface), namespace_pid);
  if (error_number == EEXIST) {
    // The kernel does not say which end clashed; the host end is the one we can look for.
    if (if_nametoindex(host_end.text) != 0) {
      return refusal("create veth pair", spec.host_interface, EEXIST,
                     "an interface named '" + spec.host_interface + "' already exists",
                     socket.kernel_message());
    }
    return refusal("create veth pair", spec.namespace_interface, EEXIST,
                   "an interface named '" + spec.namespace_interface +
                       "' already exists in the network namespace of process " +
                       std::to_string(namespace_pid),
                   socket.kernel_message());
  }
  if (error_number != 0) {
    std::string hint;
    if (error_number == ESRCH)
      hint = "no process " + std::to_string(namespace_pid) + " to take the namespace end";
    else if (error_number == EOPNOTSUPP)
      hint = "the kernel has no veth support (CONFIG_VETH)";
    return refusal("create veth pair", spec.host_interface, error_number, std::move(hint),
                   socket.kernel_message());
  }

  // From here on a failure deletes the pair (both ends go together), so that a half-configured
  // pair is never left behind.
  Result<> configured;
  if (spec.network) {
    configured = add_address(socket, spec.host_interface, spec.network->host_end_address(),
                             spec.network->prefix_length);
  }
  if (configured)
    configured = set_up(socket, spec.host_interface, "set interface up");
  if (!configured)
    (void)request_delete(socket, host_end);
  return configured;
}

Result<> configure_namespace_end(const VethSpec& spec) {
  if (auto loaded = load_network_library(); !loaded)
    return loaded;
  if (auto valid = validate_interface_name(spec.namespace_interface); !valid)
    return valid;
  RouteSocket socket;
  if (spec.network) {
    auto added = add_address(socket, spec.namespace_interface,
                             spec.network->namespace_end_address(), spec.network->prefix_length);
    if (!added)
      return added;
  }
  return set_up(socket, spec.namespace_interface, "set interface up");
}

}  // namespace nsbench::engine
