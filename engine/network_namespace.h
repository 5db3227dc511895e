// Network namespaces that are useful: a working loopback and a veth pair to the host, configured
// through rtnetlink (libmnl builds and parses the messages), never by running `ip`.
//
// Typical use with spawn:
//   options.namespaces.add(NamespaceType::net);
//   options.prepare_from_parent = [&](pid_t child) { return create_veth_pair(spec, child); };
//   options.prepare_in_child = [&]() -> Result<> {
//     if (auto up = bring_up_loopback(); !up)
//       return up;
//     return configure_namespace_end(spec);
//   };
//
// When the last process of the namespace exits, the kernel destroys the namespace and with it the
// namespace end of the pair, and deleting one end of a veth pair deletes the other, so the host end
// disappears too -- but asynchronously, some milliseconds after the exit. A caller that may create
// the same pair again at once (a command run twice in a row) deletes the host end itself with
// delete_interface once no process is left in the namespace.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace nsbench::engine {

// An IPv4 network such as 10.200.0.0/30, with host bits clear.
struct Ipv4Network {
  uint32_t address = 0;  // the network address, in host byte order
  int prefix_length = 0;

  // The first and second addresses of the network, which the two ends of a veth pair take.
  uint32_t host_end_address() const { return address + 1; }
  uint32_t namespace_end_address() const { return address + 2; }
  uint32_t broadcast_address() const;

  std::string to_string() const;  // "10.200.0.0/30"
  bool operator==(const Ipv4Network&) const = default;
};

// "10.200.0.0/30": a dotted quad with host bits clear and a prefix of 1 to 30, so that the
// network has room for both ends of a veth pair.
Result<Ipv4Network> parse_ipv4_network(std::string_view text);

// "10.200.0.1" for an address in host byte order.
std::string format_ipv4(uint32_t address);

// A veth pair between the caller's network namespace and a new one.
struct VethSpec {
  std::string host_interface;          // the end that stays in the caller's namespace
  std::string namespace_interface;     // the end that lives in the new namespace
  std::optional<Ipv4Network> network;  // when set: host end gets .1, namespace end .2
};

// "HOST_IF:NS_IF[:CIDR]", e.g. "nsb0h:nsb0n:10.200.0.0/30". Interface names have 1 to 15
// characters and no '/', ':', '%' or whitespace, and are neither "." nor "..". The Error's subject
// is the part that is wrong.
Result<VethSpec> parse_veth_spec(std::string_view text);

// Whether `name` is a name the kernel accepts for an interface and that it will not rename.
Result<> validate_interface_name(std::string_view name);

// Loads libmnl, which builds and parses the rtnetlink messages, if it is not loaded yet. Every
// function below does so itself; a multithreaded process calls this before it forks a child that
// configures a namespace, since loading a library in such a child can deadlock.
Result<> load_network_library();

// Sets "lo" up in the caller's network namespace. The kernel gives it 127.0.0.1/8 and ::1 as it
// comes up; a new network namespace starts with lo down, so nothing on 127.0.0.1 works before.
Result<> bring_up_loopback();

// Creates the pair in the caller's network namespace with its namespace end placed directly in
// the network namespace of `namespace_pid`, then gives the host end its address (when the spec
// has a network) and sets it up. The namespace end is configured from inside, by
// configure_namespace_end. On failure, nothing created here is left behind.
Result<> create_veth_pair(const VethSpec& spec, pid_t namespace_pid);

// Runs inside the new network namespace: gives the namespace end its address (when the spec has
// a network) and sets it up.
Result<> configure_namespace_end(const VethSpec& spec);

// Sets an interface of the caller's network namespace up.
Result<> set_interface_up(std::string_view name);

// Adds `address`/`prefix_length` to an interface of the caller's network namespace.
Result<> add_ipv4_address(std::string_view interface_name, uint32_t address, int prefix_length);

// Deletes an interface of the caller's network namespace; for a veth end, the peer goes too.
Result<> delete_interface(std::string_view name);

}  // namespace nsbench::engine
