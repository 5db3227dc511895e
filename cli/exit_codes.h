// Exit codes of the nsbench binary. A command run by `unshare`, `enter` or `init` passes its own
// status through; these are nsbench's own outcomes.
#pragma once

#include <string>

namespace nsbench::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;  // an operation failed (syscall, probe, file)
inline constexpr int kExitUsage = 2;    // the command line was wrong
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitCommandNotFound = 127;

// Invoked through a link named `unshare` or `nsenter`, nsbench exits as those tools do, where a
// wrong command line is a failure like any other (1), so that scripts testing for util-linux's
// codes see them. As `nsbench` it keeps usage errors apart (kExitUsage).
inline bool& util_linux_exit_codes() {
  static bool on = false;
  return on;
}

// The name messages give the program: empty for "nsbench SUBCOMMAND", else the util-linux name
// nsbench was invoked by, as that tool's own messages begin.
inline std::string& util_linux_name() {
  static std::string name;
  return name;
}

inline int usage_exit_code() {
  return util_linux_exit_codes() ? kExitFailure : kExitUsage;
}

}  // namespace nsbench::cli
