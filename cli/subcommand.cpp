#include "cli/subcommand.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/core.h>

#include "cli/exit_codes.h"

namespace nsbench::cli {

std::string program_name(const std::string& subcommand) {
  const std::string& util_linux = util_linux_name();
  return util_linux.empty() ? "nsbench " + subcommand : util_linux;
}

std::optional<int> parse_or_exit(const std::string& subcommand, const OptionTable& table,
                                 const std::string& usage, const std::string& footer,
                                 const std::vector<std::string>& arguments,
                                 ParsedCommandLine& parsed) {
  auto result = parse_command_line(table, arguments);
  if (!result) {
    print_error(subcommand, result.error());
    fmt::print(stderr, "Try '{} --help' for more information.\n", program_name(subcommand));
    return usage_exit_code();
  }
  if (result->help) {
    fmt::print("{}", usage_text(usage, table, footer));
    return kExitSuccess;
  }
  if (result->version) {
    fmt::print("{}\n", kVersion);
    return kExitSuccess;
  }
  parsed = std::move(*result);
  return std::nullopt;
}

std::vector<std::string> command_or_shell(std::vector<std::string> command) {
  if (command.empty()) {
    const char* shell = std::getenv("SHELL");
    command.emplace_back(shell != nullptr && *shell != '\0' ? shell : "/bin/sh");
  }
  return command;
}

int exit_code_for(const Error& error) {
  if (error.operation == "execute")
    return engine::exit_code_for_exec_failure(error.error_number);
  // Errors without an errno are requests the engine refused before trying: a usage problem.
  return error.error_number == 0 ? usage_exit_code() : kExitFailure;
}

int run_and_wait(const std::string& subcommand, const engine::SpawnOptions& options,
                 const std::vector<std::string>& command) {
  auto child = engine::spawn_command(options, command);
  if (!child) {
    print_error(subcommand, child.error());
    return exit_code_for(child.error());
  }
  // As util-linux does while it waits: an interrupt or termination meant for the command must not
  // take nsbench away and leave the command running unwatched.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous_interrupt {};
  struct sigaction previous_terminate {};
  sigaction(SIGINT, &ignore, &previous_interrupt);
  sigaction(SIGTERM, &ignore, &previous_terminate);
  auto status = child->wait();
  sigaction(SIGINT, &previous_interrupt, nullptr);
  sigaction(SIGTERM, &previous_terminate, nullptr);
  if (!status) {
    print_error(subcommand, status.error());
    return kExitFailure;
  }
  return *status;
}

int exec_in_place(const std::string& subcommand, const std::vector<std::string>& command) {
  const int exit_code = engine::execute(command);
  // Worded as the engine words a child's failed exec, so that every path reads the same.
  print_error(subcommand, engine::exec_failure(command[0], errno));
  return exit_code;
}

void print_error(const std::string& subcommand, const std::string& message) {
  fmt::print(stderr, "{}: {}\n", program_name(subcommand), message);
}

void print_error(const std::string& subcommand, const Error& error) {
  print_error(subcommand, error.message());
}

}  // namespace nsbench::cli
