// Exit codes of the nsbench binary. A command run by `unshare`, `enter` or `init` passes its own
// status through; these are nsbench's own outcomes.
#pragma once

namespace nsbench::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;  // an operation failed (syscall, probe, file)
inline constexpr int kExitUsage = 2;    // the command line was wrong
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitCommandNotFound = 127;

}  // namespace nsbench::cli
