// The kernel refuses some namespace operations to a process with more than one thread:
// unshare(CLONE_NEWUSER) and setns() into a user or mount namespace fail with EINVAL, setns() into
// a time namespace with EUSERS. Programs that use the engine are often multithreaded (the
// benchmark runner, the metrics exporter), so such work runs in a forked child instead: fork()
// copies only the calling thread, and the child is single-threaded whatever the caller runs.
#pragma once

#include <sys/types.h>

#include <functional>

#include "common/result.h"
#include "engine/namespace_type.h"

namespace nsbench::engine {

// How many threads the calling process has.
int thread_count();

// Runs `work` in a forked child and waits for it; returns what `work` returned, its Error, or an
// Error saying how the child ended when it did not finish `work`. What the child changes (its
// namespaces, its memory) stays in the child. Only the calling thread exists in the child: `work`
// must not wait for a lock another thread of the caller may have held at the fork (glibc's malloc
// and stdio are safe; they reset their locks in the child).
Result<int> run_in_forked_child(const std::function<Result<int>()>& work);

// Joins `types` of process `target` in a forked child, runs `work` there and returns its value.
// The caller's own namespaces do not change, whatever its thread count.
Result<int> run_joined(pid_t target, NamespaceSet types, const std::function<int()>& work);

// Creates new `types` namespaces in a forked child (unshare), runs `work` there and returns its
// value. A new PID or time namespace applies to the children `work` starts.
Result<int> run_unshared(NamespaceSet types, const std::function<int()>& work);

}  // namespace nsbench::engine
