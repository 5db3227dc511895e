// The eight Linux namespace types, their clone flags and the names the kernel gives them in
// /proc/PID/ns/, plus a small set type for "these namespaces at once".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nsbench::engine {

enum class NamespaceType : uint8_t { mnt, uts, ipc, pid, net, user, cgroup, time };

inline constexpr std::array<NamespaceType, 8> kAllNamespaceTypes = {
    NamespaceType::mnt, NamespaceType::uts,  NamespaceType::ipc,    NamespaceType::pid,
    NamespaceType::net, NamespaceType::user, NamespaceType::cgroup, NamespaceType::time};

// The CLONE_NEW* flag of a type, as clone3(), unshare() and setns() take it.
uint64_t clone_flag(NamespaceType type);

// The short name used by the kernel in /proc/PID/ns/ and by nsbench's metric labels.
std::string_view name(NamespaceType type);

std::optional<NamespaceType> namespace_type_from_name(std::string_view name);

// A set of namespace types, e.g. the namespaces to create or to join.
class NamespaceSet {
 public:
  constexpr NamespaceSet() = default;
  static NamespaceSet all();
  static NamespaceSet of(std::initializer_list<NamespaceType> types);

  void add(NamespaceType type) { bits_ |= bit(type); }
  void remove(NamespaceType type) { bits_ &= static_cast<uint8_t>(~bit(type)); }
  bool contains(NamespaceType type) const { return (bits_ & bit(type)) != 0; }
  bool empty() const { return bits_ == 0; }
  int size() const;

  // The OR of the CLONE_NEW* flags of every member.
  uint64_t clone_flags() const;

  // "mnt,pid" style, for messages; "none" when empty.
  std::string to_string() const;

  bool operator==(const NamespaceSet&) const = default;

 private:
  static constexpr uint8_t bit(NamespaceType type) {
    return static_cast<uint8_t>(1u << static_cast<unsigned>(type));
  }
  uint8_t bits_ = 0;
};

}  // namespace nsbench::engine
