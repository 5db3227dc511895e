// What the end-to-end tests read back from /proc and from the tools they run: process trees,
// namespace inodes, the mount table and `ps aux` listings.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace nsbench::testing {

std::string read_text_file(const std::string& path);

// The direct children of `pid`, gathered from the children list of each of its threads.
std::vector<pid_t> children_of(pid_t pid);

// The name the kernel shows for `pid` (the executable's name once it has exec'ed).
std::string process_name(pid_t pid);

// Polls until `parent` has a child named `name` (that is, the child has exec'ed it) and returns
// its PID, or nothing after `timeout`.
std::optional<pid_t> wait_for_child_named(pid_t parent, const std::string& name,
                                          std::chrono::milliseconds timeout);

// The inode of the namespace `path` (for example /proc/self/ns/net) refers to, 0 when unreadable.
ino_t namespace_inode(const std::string& path);

// One row of `ps aux`: the PID and COMMAND columns.
struct PsRow {
  pid_t pid = 0;
  std::string command;
  bool operator==(const PsRow&) const = default;
};

// The rows of `ps aux` output; nothing when the header is not ps's.
std::optional<std::vector<PsRow>> parse_ps_aux(const std::string& output);

// For gtest's failure messages.
void PrintTo(const PsRow& row, std::ostream* out);

}  // namespace nsbench::testing
