// The operations the scenarios measure, one iteration at a time. An operation owns whatever must
// outlive single iterations (the process whose namespaces are joined, the shared report page) and
// releases it, reaping every process it started, when it is destroyed.
#pragma once

#include <memory>

#include "common/result.h"
#include "engine/namespace_type.h"

namespace nsbench::bench {

class Operation {
 public:
  virtual ~Operation() = default;

  // Performs the operation once; returns how long its measured part took, in seconds.
  virtual Result<double> run_once() = 0;
};

// clone3 of a child in new `namespaces` that exits at once, and the wait for it; measured in the
// parent. An empty set is the baseline: what every creation costs besides the namespaces.
Result<std::unique_ptr<Operation>> spawn_and_wait(engine::NamespaceSet namespaces);

// Starts a process in all eight new namespaces; each iteration then forks a single-threaded child
// that joins the target's namespace of `type` through /proc/PID/ns/<type>. Only the join is timed.
Result<std::unique_ptr<Operation>> join_namespace_of_target(engine::NamespaceType type);

// In a fresh child: unshare(CLONE_NEWPID), fork the new namespace's first process, which exits at
// once, and wait for it, as `unshare -fp` does. The three steps are timed together in the child.
Result<std::unique_ptr<Operation>> unshare_pid_and_fork();

// A container start: all eight namespaces, a PID-1 init, a private /proc and the exec of
// /bin/true, then the wait for the init's exit; measured in the parent.
Result<std::unique_ptr<Operation>> full_container_start();

}  // namespace nsbench::bench
