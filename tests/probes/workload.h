// Namespace syscalls for the probe tests to observe, each run in a forked child so that the test
// process keeps its own namespaces and the calls are finished (and their exits recorded) by the
// time the test reads a snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "probes/snapshot.h"

namespace nsbench::probes::testing {

// Runs `steps` in a forked child. Returns an empty string when it succeeded, otherwise what went
// wrong (the failed step, or how the child died).
std::string run_in_child(const std::function<std::string()>& steps);

// Each returns an empty string or the step that failed; call them inside run_in_child.
std::string setns_into_net_namespaces(int calls);  // setns(fd, CLONE_NEWNET), all succeed
std::string setns_with_bad_fd(int calls);          // setns(-1, CLONE_NEWNET), all fail
std::string unshare_namespaces(uint64_t flags, int calls);
std::string clone_children(uint64_t flags, int calls);   // raw clone(flags | SIGCHLD)
std::string clone3_children(uint64_t flags, int calls);  // clone3 with flags in clone_args

// Histogram counts by "syscall/ns_type/result".
using CountsByKey = std::map<std::string, uint64_t>;
CountsByKey counts_by_key(const Snapshot& snapshot);
// How much each key grew between two snapshots of the same probes; keys that did not grow are
// left out.
CountsByKey growth(const Snapshot& before, const Snapshot& after);

}  // namespace nsbench::probes::testing
