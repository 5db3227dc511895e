#include "cli/namespace_flags.h"

namespace nsbench::cli {

namespace {

struct FlagSpelling {
  engine::NamespaceType type;
  char short_name;
  const char* long_name;
  const char* help;
};

constexpr std::array<FlagSpelling, 8> kSpellings = {{
    {engine::NamespaceType::mnt, 'm', "mount", "the mount namespace"},
    {engine::NamespaceType::uts, 'u', "uts", "the UTS (hostname) namespace"},
    {engine::NamespaceType::ipc, 'i', "ipc", "the IPC namespace"},
    {engine::NamespaceType::net, 'n', "net", "the network namespace"},
    {engine::NamespaceType::pid, 'p', "pid", "the PID namespace"},
    {engine::NamespaceType::user, 'U', "user", "the user namespace"},
    {engine::NamespaceType::cgroup, 'C', "cgroup", "the cgroup namespace"},
    {engine::NamespaceType::time, 'T', "time", "the time namespace"},
}};

}  // namespace

void NamespaceFlags::declare(OptionTable& table, const std::string& verb,
                             bool short_forms_take_files) {
  for (size_t index = 0; index < kSpellings.size(); ++index) {
    const FlagSpelling& spelling = kSpellings[index];
    helps_[index] = verb + " " + spelling.help;
    Flag& flag = flags_[static_cast<size_t>(spelling.type)];
    table.push_back({spelling.short_name, spelling.long_name, Value::optional, "FILE",
                     helps_[index].c_str(),
                     [&flag](const char* value) {
                       flag.given = true;
                       if (value != nullptr)
                         flag.file = value;
                       return std::string();
                     },
                     !short_forms_take_files});
  }
}

engine::NamespaceSet NamespaceFlags::requested() const {
  engine::NamespaceSet set;
  for (const FlagSpelling& spelling : kSpellings) {
    if (flags_[static_cast<size_t>(spelling.type)].given)
      set.add(spelling.type);
  }
  return set;
}

std::optional<std::string> NamespaceFlags::file(engine::NamespaceType type) const {
  return flags_[static_cast<size_t>(type)].file;
}

}  // namespace nsbench::cli
