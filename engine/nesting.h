// Nested PID namespaces (optionally each with its own user namespace): the shape of containers
// run inside containers, up to the kernel's limit of 32 levels.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "engine/process.h"

namespace nsbench::engine {

// The kernel's limit on PID (and user) namespace nesting below the initial namespace.
inline constexpr int kMaxNestingDepth = 32;

struct NestOptions {
  int depth = 1;                 // levels of new PID namespaces below the caller's
  bool user_namespaces = false;  // give every level a new user namespace too
};

struct NestedRun {
  int depth_reached = 0;  // the deepest level that was created
  int exit_status = 0;    // the command's status (128 + signal when killed)
};

// Builds `options.depth` levels and runs argv at the innermost; each level's PID 1 waits for the
// next and exits with its status. When a level cannot be created, the Error names the level, the
// errno and, for ENOSPC/EUSERS, the kernel's nesting limit; the levels above are torn down.
Result<NestedRun> run_nested(const NestOptions& options, const std::vector<std::string>& argv);

}  // namespace nsbench::engine
