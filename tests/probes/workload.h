// Namespace syscalls for the probe tests to observe, each run in a forked child so that the test
// process keeps its own namespaces and the calls are finished (and their exits recorded) by the
// time the test reads a snapshot.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "probes/snapshot.h"

namespace nsbench::probes::testing {

// Runs `steps` in a forked child. Returns an empty string when it succeeded, otherwise what went
// wrong (the failed step, or how the child died).
std::string run_in_child(const std::function<std::string()>& steps);

// A forked child that runs `steps` only once released, so that probes filtered on its pid can be
// attached in between. Destroying one that was never released kills and reaps it.
class GatedChild {
 public:
  explicit GatedChild(const std::function<std::string()>& steps);
  GatedChild(const GatedChild&) = delete;
  GatedChild& operator=(const GatedChild&) = delete;
  ~GatedChild();

  // The child's pid, or -1 when it could not be forked (then release() says why).
  pid_t pid() const { return pid_; }
  // Lets the child run its steps without waiting for it.
  void release();
  // Waits for the child; returns what run_in_child would (empty on success).
  std::string wait();

 private:
  pid_t pid_ = -1;
  int gate_ = -1;    // write end: closing it, or a byte, releases the child
  int report_ = -1;  // read end of the child's failure text
  std::string fork_problem_;
};

// Each returns an empty string or the step that failed; call them inside run_in_child.
std::string setns_into_net_namespaces(int calls);  // setns(fd, CLONE_NEWNET), all succeed
std::string setns_with_bad_fd(int calls);          // setns(-1, CLONE_NEWNET), all fail
std::string unshare_namespaces(uint64_t flags, int calls);
std::string clone_children(uint64_t flags, int calls);   // raw clone(flags | SIGCHLD)
std::string clone3_children(uint64_t flags, int calls);  // clone3 with flags in clone_args
// setns(fd, 0) back and forth between a new net namespace and the caller's, all succeed.
std::string setns_into_net_namespaces_without_flags(int calls);
// setns(fd, 0) into the net namespace the caller is already in: succeeds, changes nothing.
std::string setns_into_the_same_net_namespace(int calls);
// Creates `user_levels` nested user namespaces with unshare, forking one child that exits at once
// in each; then, from the deepest, `pid_levels` nested PID namespaces, each entered by a fork
// whose child unshares the next one. New tasks: one at user level k (pid level 0) for k in
// 1..user_levels, then one at pid level k (user level user_levels) for k in 1..pid_levels.
std::string nest_namespaces_and_fork(int user_levels, int pid_levels);

// Whether this process runs in the initial PID namespace, which the descendants filter needs.
bool in_initial_pid_namespace();

// Histogram counts by "syscall/ns_type/result".
using CountsByKey = std::map<std::string, uint64_t>;
CountsByKey counts_by_key(const Snapshot& snapshot);
// How much each key grew between two snapshots of the same probes; keys that did not grow are
// left out.
CountsByKey growth(const Snapshot& before, const Snapshot& after);

}  // namespace nsbench::probes::testing
