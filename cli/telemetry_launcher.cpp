#include "cli/telemetry_launcher.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/exit_codes.h"

namespace nsbench::cli {

namespace {

constexpr const char* kTelemetrySubcommands[] = {"run", "trace", "overhead"};

std::string own_path() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : self.string();
}

// Beside the executable (the build tree), then where `cmake --install` puts it.
std::vector<std::string> telemetry_candidates(const std::string& self) {
  std::vector<std::string> candidates;
  if (!self.empty()) {
    candidates.push_back(
        (std::filesystem::path(self).parent_path() / kTelemetryExecutableName).string());
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

std::vector<Subcommand> telemetry_stand_ins() {
  std::vector<Subcommand> stand_ins;
  for (const auto& [name, description] :
       {std::pair{"run", kRunDescription}, std::pair{"trace", kTraceDescription},
        std::pair{"overhead", kOverheadDescription}}) {
    stand_ins.push_back({name, description, [](CLI::App& app) -> Action {
                           app.allow_extras();
                           // main() executes nsbench-telemetry before parsing for these names.
                           return [](const std::vector<std::string>&) { return kExitFailure; };
                         }});
  }
  return stand_ins;
}

}  // namespace nsbench::cli
