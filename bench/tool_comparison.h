// Whole tools side by side: each iteration starts a complete program that runs /bin/true in a new
// PID namespace with a fresh /proc, and waits for it. nsbench's own `unshare` against util-linux
// unshare and bubblewrap, so that the figure includes what a user pays: exec, dynamic linking,
// start-up and option parsing, not only the namespace syscalls.
#pragma once

#include <memory>
#include <string>

#include "bench/operations.h"
#include "common/result.h"

namespace nsbench::bench {

// The nsbench binary the nsbench_unshare scenario runs. By default the running program itself
// (/proc/self/exe), which is right inside `nsbench run`; any other program that runs that scenario
// (a test binary) must name the nsbench binary here first, or it would start copies of itself.
// An empty path restores the default. Not thread-safe: call before run_scenarios().
void set_nsbench_binary(std::string path);

// The absolute path of `command` as execvp() would find it in PATH, or an Error naming the
// Debian package that provides it.
Result<std::string> find_in_path(const std::string& command, const std::string& debian_package);

// Up to `limit` bytes of what a tool wrote to the memory file `fd`, from its start; empty when
// nothing can be read. The started tools keep their standard error so, to say why they failed.
std::string start_of_file(int fd, size_t limit);

// `nsbench unshare -fp --mount-proc true`.
Result<std::unique_ptr<Operation>> nsbench_unshare_true();

// util-linux's `unshare -fp --mount-proc true`.
Result<std::unique_ptr<Operation>> util_linux_unshare_true();

// `bwrap --unshare-pid --dev-bind / / --proc /proc true`: bubblewrap's equivalent. It always adds
// a mount namespace and a new root, and stays in the sandbox as its PID 1 with true as PID 2.
Result<std::unique_ptr<Operation>> bubblewrap_true();

}  // namespace nsbench::bench
