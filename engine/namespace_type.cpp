#include "engine/namespace_type.h"

#include <sched.h>

#include <bit>

namespace nsbench::engine {

namespace {

struct TypeInfo {
  NamespaceType type;
  uint64_t flag;
  std::string_view name;
};

// CLONE_NEWTIME is missing from older libc headers; its value is fixed by the kernel ABI.
constexpr uint64_t kCloneNewTime = 0x00000080;

constexpr std::array<TypeInfo, 8> kTypes = {{
    {NamespaceType::mnt, CLONE_NEWNS, "mnt"},
    {NamespaceType::uts, CLONE_NEWUTS, "uts"},
    {NamespaceType::ipc, CLONE_NEWIPC, "ipc"},
    {NamespaceType::pid, CLONE_NEWPID, "pid"},
    {NamespaceType::net, CLONE_NEWNET, "net"},
    {NamespaceType::user, CLONE_NEWUSER, "user"},
    {NamespaceType::cgroup, CLONE_NEWCGROUP, "cgroup"},
    {NamespaceType::time, kCloneNewTime, "time"},
}};

const TypeInfo& info(NamespaceType type) {
  return kTypes[static_cast<size_t>(type)];
}

}  // namespace

uint64_t clone_flag(NamespaceType type) {
  return info(type).flag;
}

std::string_view name(NamespaceType type) {
  return info(type).name;
}

std::optional<NamespaceType> namespace_type_from_name(std::string_view name) {
  for (const TypeInfo& entry : kTypes) {
    if (entry.name == name)
      return entry.type;
  }
  return std::nullopt;
}

NamespaceSet NamespaceSet::all() {
  NamespaceSet set;
  for (NamespaceType type : kAllNamespaceTypes)
    set.add(type);
  return set;
}

NamespaceSet NamespaceSet::of(std::initializer_list<NamespaceType> types) {
  NamespaceSet set;
  for (NamespaceType type : types)
    set.add(type);
  return set;
}

int NamespaceSet::size() const {
  return std::popcount(bits_);
}

uint64_t NamespaceSet::clone_flags() const {
  uint64_t flags = 0;
  for (NamespaceType type : kAllNamespaceTypes) {
    if (contains(type))
      flags |= clone_flag(type);
  }
  return flags;
}

std::string NamespaceSet::to_string() const {
  if (empty())
    return "none";
  std::string text;
  for (NamespaceType type : kAllNamespaceTypes) {
    if (!contains(type))
      continue;
    if (!text.empty())
      text += ",";
    text += name(type);
  }
  return text;
}

}  // namespace nsbench::engine
