// Keeping a namespace alive without a process in it: its /proc/PID/ns file bind-mounted onto a
// path (what `ip netns add` and `unshare --net=FILE` do). `umount FILE` lets it go.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "engine/namespace_type.h"

namespace nsbench::engine {

struct NamespaceFile {
  NamespaceType type;
  std::string path;
};

// Which of a process's namespace files to bind: its own, or (for PID and time namespaces created
// by unshare, which only its children enter) the ones its children will get.
enum class NamespaceOf { process, children };

// Whether `files` can be bound together: no path twice. bind_namespace_files checks it too; a
// caller checks it first to refuse a command line before doing anything.
Result<> check_namespace_files(const std::vector<NamespaceFile>& files);

// Bind-mounts the namespace file of each type of `pid` onto its path, creating missing files.
// All or nothing: when one fails, those already bound are unmounted and files created here are
// removed. A mount namespace file cannot be bound inside the namespace it names, and the path
// must not be on a shared mount that propagates into it (EINVAL).
Result<> bind_namespace_files(pid_t pid, NamespaceOf whose,
                              const std::vector<NamespaceFile>& files);

}  // namespace nsbench::engine
