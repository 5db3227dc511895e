#include "cli/namespace_flags.h"

namespace nsbench::cli {

namespace {

struct FlagSpelling {
  engine::NamespaceType type;
  const char* names;
  const char* what;
};

constexpr std::array<FlagSpelling, 8> kSpellings = {{
    {engine::NamespaceType::mnt, "-m,--mount", "mount"},
    {engine::NamespaceType::uts, "-u,--uts", "UTS (hostname)"},
    {engine::NamespaceType::ipc, "-i,--ipc", "IPC"},
    {engine::NamespaceType::net, "-n,--net", "network"},
    {engine::NamespaceType::pid, "-p,--pid", "PID"},
    {engine::NamespaceType::user, "-U,--user", "user"},
    {engine::NamespaceType::cgroup, "-C,--cgroup", "cgroup"},
    {engine::NamespaceType::time, "-T,--time", "time"},
}};

// CLI11 stores this value for a flag given without "=FILE".
constexpr const char* kNoFile = "true";

}  // namespace

void NamespaceFlags::declare(CLI::App& app, const std::string& verb) {
  for (const FlagSpelling& spelling : kSpellings) {
    Flag& flag = flags_[static_cast<size_t>(spelling.type)];
    flag.option = app.add_flag(std::string(spelling.names) + "{" + kNoFile + "}", flag.values,
                               verb + " the " + spelling.what + " namespace (optionally =FILE)");
  }
}

engine::NamespaceSet NamespaceFlags::requested() const {
  engine::NamespaceSet set;
  for (const FlagSpelling& spelling : kSpellings) {
    if (flags_[static_cast<size_t>(spelling.type)].option->count() > 0)
      set.add(spelling.type);
  }
  return set;
}

std::optional<std::string> NamespaceFlags::file(engine::NamespaceType type) const {
  const Flag& flag = flags_[static_cast<size_t>(type)];
  for (const std::string& value : flag.values) {
    if (!value.empty() && value != kNoFile)
      return value;
  }
  return std::nullopt;
}

}  // namespace nsbench::cli
