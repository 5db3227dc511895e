// Options that shape the command's process rather than its namespaces, shared by `unshare` and
// `enter`: -S/--setuid, -G/--setgid and -w/--wd (the root option differs between the two tools:
// -R for unshare, -r for nsenter, so each command declares it itself).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "cli/option_table.h"
#include "common/result.h"
#include "engine/exec_environment.h"

namespace nsbench::cli {

class ExecFlags {
 public:
  ExecFlags() = default;
  // The table's entries point at this object.
  ExecFlags(const ExecFlags&) = delete;
  ExecFlags& operator=(const ExecFlags&) = delete;

  // nsenter's -w takes an optional "=DIR" (default: the target's); unshare's -w needs a DIR.
  enum class WorkingDirectory { required_value, optional_value };
  void declare(OptionTable& table, WorkingDirectory working_directory);

  // Opens the directories and fills in the user and group. `default_working_directory` is used
  // for a bare "-w" (nsenter: the target's working directory).
  Result<engine::ExecEnvironment> environment(const std::string& default_working_directory) const;

  // Whether any of -S, -G or -w was given.
  bool any_given() const { return uid_ || gid_ || working_directory_given_; }

 private:
  bool working_directory_given_ = false;
  std::string working_directory_;  // empty for a bare "-w"
  std::optional<uid_t> uid_;
  std::optional<gid_t> gid_;
};

// A user or group ID given by number: 0 to 4294967294. 4294967295 is (uid_t)-1, which setresuid()
// reads as "leave unchanged": the command would quietly keep running as the caller.
std::string take_id(const char* value, std::optional<uint32_t>& into);

// A signal given by number (9) or name (KILL, SIGKILL, kill).
std::optional<int> parse_signal(const std::string& text);

}  // namespace nsbench::cli
