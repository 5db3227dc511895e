#include "cli/subcommand.h"

#include <cstdlib>

#include <fmt/core.h>

#include "cli/exit_codes.h"

namespace nsbench::cli {

std::vector<std::string> command_from_remaining(const CLI::App& app,
                                                const std::vector<std::string>& after_dash,
                                                bool default_to_shell) {
  std::vector<std::string> command = app.remaining();
  if (!command.empty() && command.front().starts_with("-")) {
    throw CLI::ParseError("unrecognized option '" + command.front() + "'",
                          static_cast<int>(CLI::ExitCodes::ExtrasError));
  }
  command.insert(command.end(), after_dash.begin(), after_dash.end());
  if (command.empty() && default_to_shell) {
    const char* shell = std::getenv("SHELL");
    command.emplace_back(shell != nullptr && *shell != '\0' ? shell : "/bin/sh");
  }
  return command;
}

int run_and_wait(const std::string& subcommand, const engine::SpawnOptions& options,
                 const std::vector<std::string>& command) {
  auto child = engine::spawn_command(options, command);
  if (!child) {
    print_error(subcommand, child.error());
    if (child.error().operation == "execute") {
      return engine::exit_code_for_exec_failure(child.error().error_number);
    }
    return kExitFailure;
  }
  auto status = child->wait();
  if (!status) {
    print_error(subcommand, status.error());
    return kExitFailure;
  }
  return *status;
}

void print_error(const std::string& subcommand, const std::string& message) {
  fmt::print(stderr, "nsbench {}: {}\n", subcommand, message);
}

void print_error(const std::string& subcommand, const Error& error) {
  print_error(subcommand, error.message());
}

}  // namespace nsbench::cli
