// The command lines of run, trace and overhead (the nsbench-telemetry executable), parsed with
// CLI11: a table of subcommands, each declaring its options on its own CLI::App, with the error
// and help handling they share.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/subcommand.h"

namespace nsbench::cli {

// Runs a parsed subcommand. `after_dash` holds the words that followed a "--" on the command line.
using Action = std::function<int(const std::vector<std::string>& after_dash)>;

struct Subcommand {
  const char* name;
  const char* description;
  // Declares the options on `app` and returns the action; the action reads the parsed values.
  std::function<Action(CLI::App& app)> define;
};

Subcommand run_subcommand();
Subcommand trace_subcommand();
Subcommand overhead_subcommand();

// `arguments` is the whole command line, program name first. Returns the process's exit code.
int run_command_line(const std::vector<Subcommand>& table,
                     const std::vector<std::string>& arguments);

// A CLI11 check from a parser of ours: the option's value is refused, at parse time, with the
// parser's own message when the parser fails on it.
template <typename Parser>
CLI::Validator checked_by(Parser parser) {
  return CLI::Validator(
      [parser](const std::string& text) -> std::string {
        auto parsed = parser(text);
        return parsed ? std::string() : parsed.error().message();
      },
      "", "checked");
}

// An output file the user asked for: refused at once, rather than after minutes of work, when it
// is a directory or its directory is missing or not writable. An empty path (no file) passes.
Result<> check_output_file(const std::string& path);

// Checks for numeric options that name the problem: "'abc' is not a whole number", "'0' is not
// between 1 and 1000" (CLI::Range calls a word out of range, and lets NaN through).
CLI::Validator whole_number_between(long long low, long long high);
CLI::Validator number_between(double low, double high);

}  // namespace nsbench::cli
