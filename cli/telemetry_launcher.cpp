#include "cli/telemetry_launcher.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <climits>

#include "cli/exit_codes.h"
#include "cli/subcommand.h"

namespace nsbench::cli {

namespace {

constexpr const char* kTelemetrySubcommands[] = {"run", "trace", "overhead"};

std::string own_path() {
  char path[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path));
  return length > 0 && static_cast<size_t>(length) < sizeof(path) ? std::string(path, length)
                                                                  : std::string();
}

// Beside the executable (the build tree), then where `cmake --install` puts it.
std::vector<std::string> telemetry_candidates(const std::string& self) {
  std::vector<std::string> candidates;
  if (!self.empty()) {
    candidates.push_back(self.substr(0, self.rfind('/') + 1) + kTelemetryExecutableName);
  }
  candidates.push_back(std::string(NSBENCH_LIBEXEC_DIR) + "/" + kTelemetryExecutableName);
  return candidates;
}

}  // namespace

bool is_telemetry_subcommand(const std::string& word) {
  for (const char* name : kTelemetrySubcommands) {
    if (word == name)
      return true;
  }
  return false;
}

int execute_telemetry(const std::vector<std::string>& arguments) {
  const std::string subcommand = arguments.size() > 1 ? arguments[1] : "run";
  const std::string self = own_path();
  if (!self.empty())
    setenv(kNsbenchExecutableVariable, self.c_str(), 1);

  std::vector<char*> argv;
  for (const std::string& argument : arguments)
    argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);

  std::string tried;
  for (const std::string& candidate : telemetry_candidates(self)) {
    execv(candidate.c_str(), argv.data());
    if (errno != ENOENT) {
      print_error(subcommand, "cannot execute " + candidate + ": " + std::strerror(errno));
      return kExitFailure;
    }
    tried += (tried.empty() ? "" : ", ") + candidate;
  }
  print_error(subcommand, "cannot find " + std::string(kTelemetryExecutableName) + " (looked for " +
                              tried + "); rebuild or reinstall nsbench");
  return kExitFailure;
}

}  // namespace nsbench::cli
