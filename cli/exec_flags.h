// Options that shape the command's process rather than its namespaces, shared by `unshare` and
// `enter`: -S/--setuid, -G/--setgid and -w/--wd (the root option differs between the two tools:
// -R for unshare, -r for nsenter, so each command declares it itself).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "engine/exec_environment.h"

namespace nsbench::cli {

class ExecFlags {
 public:
  // nsenter's -w takes an optional "=DIR" (default: the target's); unshare's -w needs a DIR.
  enum class WorkingDirectory { required_value, optional_value };
  void declare(CLI::App& app, WorkingDirectory working_directory);

  // Opens the directories and fills in the user and group. `default_working_directory` is used
  // for a bare "-w" (nsenter: the target's working directory).
  Result<engine::ExecEnvironment> environment(const std::string& default_working_directory) const;

  // Whether any of -S, -G or -w was given.
  bool any_given() const {
    return uid_ || gid_ || (working_directory_option_ && working_directory_option_->count() > 0);
  }

  // Where "-w" without a value leaves its value.
  static constexpr const char* kNoValue = "true";

 private:
  CLI::Option* working_directory_option_ = nullptr;
  std::string working_directory_;
  std::optional<uid_t> uid_;
  std::optional<gid_t> gid_;
};

// A signal given by number (9) or name (KILL, SIGKILL, kill).
std::optional<int> parse_signal(const std::string& text);

}  // namespace nsbench::cli
