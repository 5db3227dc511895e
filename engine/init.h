// A minimal PID-1 init: what a new PID namespace needs as its first process so that signals are
// delivered and zombies do not pile up.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace nsbench::engine {

// Where the init sends the signals it receives.
enum class ForwardTo {
  child,          // the command alone
  process_group,  // the command's process group: the command and what it started, unless they
                  // moved to groups of their own
};

// Starts argv as a child (PID 2 when called as PID 1) in a process group of its own, in the
// terminal's foreground if there is one, and stays as its init: forwards SIGTERM, SIGINT, SIGHUP
// (and the other catchable signals but SIGCHLD) to it, reaps every zombie that is re-parented to
// it, and returns the child's exit code, or 128 + signal when it was killed. Returns 127 when
// argv[0] is not found and 126 when it cannot be executed. Outside PID 1 it becomes a child
// subreaper so that orphans still come to it.
int run_init(const std::vector<std::string>& argv, ForwardTo forward_to = ForwardTo::child);

// The same init around a function: `child_main` runs in the forked child, whose exit code is its
// return value.
int run_init_function(const std::function<int()>& child_main,
                      ForwardTo forward_to = ForwardTo::child);

}  // namespace nsbench::engine
