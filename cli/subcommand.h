// The table of nsbench subcommands: each one declares its options on its own CLI::App and returns
// the action that runs once the command line has been parsed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "engine/spawn.h"

namespace nsbench::cli {

// Runs a parsed subcommand. `after_dash` holds the words that followed a "--" on the command line.
using Action = std::function<int(const std::vector<std::string>& after_dash)>;

struct Subcommand {
  const char* name;
  const char* description;
  // Declares the options on `app` and returns the action; the action reads the parsed values.
  std::function<Action(CLI::App& app)> define;
};

Subcommand unshare_subcommand();
Subcommand enter_subcommand();
// enter's command line with nsenter's attached optional values spelled out for the parser:
// "-r/srv" becomes "--root=/srv". `arguments` starts with the program name.
std::vector<std::string> with_attached_optional_values(const std::vector<std::string>& arguments);
Subcommand init_subcommand();
Subcommand run_subcommand();
Subcommand trace_subcommand();
Subcommand overhead_subcommand();

// The command to execute: what the option parser left over, then the words after "--". A leading
// unknown option is a usage error (thrown as CLI::ParseError so that it is reported like any
// other); an empty command means the user's shell when `default_to_shell`, as util-linux does.
std::vector<std::string> command_from_remaining(const CLI::App& app,
                                                const std::vector<std::string>& after_dash,
                                                bool default_to_shell);

// Checks for numeric options that name the problem: "'abc' is not a whole number", "'0' is not
// between 1 and 1000" (CLI::Range calls a word out of range, and lets NaN through).
CLI::Validator whole_number_between(long long low, long long high);
CLI::Validator number_between(double low, double high);

// nsbench's exit code for a failed operation: 126/127 for exec failures, 2 for a request refused
// before any syscall (no errno: a usage problem), 1 otherwise.
int exit_code_for(const Error& error);

// Starts `command` with the engine, waits for it and returns its status for nsbench's exit: the
// command's own status, 126/127 when it cannot be executed, 1 when the engine failed.
int run_and_wait(const std::string& subcommand, const engine::SpawnOptions& options,
                 const std::vector<std::string>& command);

// Replaces nsbench with `command`; returns only when that fails, after saying why, with 126/127.
int exec_in_place(const std::string& subcommand, const std::vector<std::string>& command);

// Prints "nsbench NAME: MESSAGE" on stderr as the one line a failure gets.
void print_error(const std::string& subcommand, const std::string& message);
void print_error(const std::string& subcommand, const Error& error);

}  // namespace nsbench::cli
