#include "cli/subcommand.h"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include <fmt/core.h>

#include "cli/exit_codes.h"

namespace nsbench::cli {

CLI::Validator whole_number_between(long long low, long long high) {
  return CLI::Validator(
      [low, high](const std::string& text) -> std::string {
        long long value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc::result_out_of_range)
          return fmt::format("'{}' is not between {} and {}", text, low, high);
        if (error != std::errc() || end != text.data() + text.size() || text.empty())
          return fmt::format("'{}' is not a whole number", text);
        if (value < low || value > high)
          return fmt::format("'{}' is not between {} and {}", text, low, high);
        return "";
      },
      fmt::format("{} to {}", low, high), "whole number between");
}

CLI::Validator number_between(double low, double high) {
  return CLI::Validator(
      [low, high](const std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value))
          return fmt::format("'{}' is not a number", text);
        // Every comparison with NaN is false: test for the range, not against it.
        if (!(value >= low && value <= high))
          return fmt::format("'{}' is not between {} and {}", text, low, high);
        return "";
      },
      fmt::format("{} to {}", low, high), "number between");
}

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
  print_error(subcommand, Error{"execute", command[0], errno, {}});
  return exit_code;
}

void print_error(const std::string& subcommand, const std::string& message) {
  fmt::print(stderr, "nsbench {}: {}\n", subcommand, message);
}

void print_error(const std::string& subcommand, const Error& error) {
  print_error(subcommand, error.message());
}

}  // namespace nsbench::cli
