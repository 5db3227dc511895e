// Starting processes in new namespaces: clone3() with CLONE_NEW* flags (falling back to clone()),
// optionally with a PID-1 init and a private /proc, and plain unshare() for the calling process.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/namespace_type.h"
#include "engine/mounts.h"
#include "engine/process.h"
#include "engine/time_namespace.h"

namespace nsbench::engine {

struct SpawnOptions {
  NamespaceSet namespaces;  // the namespaces the child gets new instances of
  bool mount_proc = false;  // make / recursively private, then mount a fresh proc (needs mnt)
  std::string proc_directory = "/proc";  // where mount_proc mounts it
  bool init = false;         // the child is a PID-1 init that runs the command as its child
  bool allow_clone3 = true;  // false forces the clone() fallback (tests, old kernels)
  Propagation propagation = Propagation::private_;  // of every mount, with a new mnt namespace
  std::string hostname;        // host name inside a new UTS namespace (needs uts)
  ClockOffsets clock_offsets;  // shifted clocks inside a new time namespace (needs time)

  // Runs in the parent once the child exists and before the child goes on with its own set-up:
  // what only a process outside the new namespaces may do, such as writing a user namespace's ID
  // maps or moving a veth end into a network namespace. A failure kills the child.
  std::function<Result<>(pid_t child)> prepare_from_parent;

  // Runs in the child after the mounts are set up and before the body or command, e.g. to bring
  // up loopback in a new network namespace. A failure is reported as spawn's Error.
  std::function<Result<>()> prepare_in_child;
};

// Runs `body` in a child created in new namespaces; the child exits with body's return value.
// The body runs after the namespace set-up (mount_proc, init) and must not return into the
// caller's stack frames: the child ends when it returns. Set-up failures in the child are reported
// back as the Error of this call, not as an exit code.
Result<ChildProcess> spawn_in_namespaces(const SpawnOptions& options,
                                         const std::function<int()>& body);

// Executes argv[0] (searched in PATH) in a child created in new namespaces. An exec failure is
// reported as an Error naming the command.
Result<ChildProcess> spawn_command(const SpawnOptions& options,
                                   const std::vector<std::string>& argv);

// Replaces the calling process with argv[0] (searched in PATH). Returns only when that fails,
// with errno set and the shell's exit code for it: 127 when the command is not found, 126 when it
// cannot be executed.
int execute(const std::vector<std::string>& argv);

// The error for a failed exec of `program`, worded the same on every path that runs a command;
// an empty program name is named as such.
Error exec_failure(const std::string& program, int error_number);

// The shell's exit code for a failed exec with `error_number`: 127 or 126.
int exit_code_for_exec_failure(int error_number);

// The calling process's own counterpart of spawn: unshare() of options.namespaces followed by the
// same set-up a spawned child gets (mounts, /proc, host name, clock offsets, prepare_in_child).
// prepare_from_parent and init do not apply and are refused.
Result<> unshare_and_prepare(const SpawnOptions& options);

// unshare() for the calling process. New PID and time namespaces apply only to children
// created afterwards, as the kernel defines them.
Result<> unshare_namespaces(NamespaceSet namespaces);

}  // namespace nsbench::engine
