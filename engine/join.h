// Joining the namespaces of another process with setns(): all at once through a pidfd where the
// kernel supports it (5.8 and later), otherwise one /proc/PID/ns/ file per type.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "engine/namespace_type.h"

namespace nsbench::engine {

// Joins `types` of process `target`. Joining a PID namespace takes effect for children created
// afterwards; the caller must fork to run something inside it.
Result<> join_namespaces(pid_t target, NamespaceSet types);

// Joins the namespace behind a file such as /proc/PID/ns/net or a bind-mounted namespace file.
Result<> join_namespace_file(const std::string& path, NamespaceType type);

// Joins the namespace behind an already open file descriptor (of a namespace file or a pidfd with
// one type); `subject` names it in errors.
Result<> join_namespace_fd(int fd, NamespaceType type, const std::string& subject = {});

// Joins several namespace files at once: all are opened before any is joined (joining a mount
// namespace changes how later paths resolve), then joined in the kernel's preferred order.
Result<> join_namespace_files(const std::vector<std::pair<NamespaceType, std::string>>& files);

// As join_namespaces, but always one /proc/PID/ns/ file per type (the fallback path), so that
// both paths can be tested and measured on a kernel that has the fast one.
Result<> join_namespaces_by_path(pid_t target, NamespaceSet types);

}  // namespace nsbench::engine
