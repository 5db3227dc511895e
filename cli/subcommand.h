// What every nsbench subcommand shares: how a failure becomes one line and an exit code, and how a
// command is run and waited for. The engine's subcommands (unshare, enter, init), each given the
// words that follow its name on the command line and returning the exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/option_table.h"
#include "common/result.h"
#include "engine/spawn.h"

namespace nsbench::cli {

inline constexpr const char* kVersion = "nsbench 0.1.0";

int unshare_main(const std::vector<std::string>& arguments);
int enter_main(const std::vector<std::string>& arguments);
int init_main(const std::vector<std::string>& arguments);

// Parses an engine subcommand's `arguments` against `table` into `parsed`. Returns the exit code
// when nothing more is to be done: 0 after printing the help for -h, the usage code after printing
// what is wrong with the command line.
std::optional<int> parse_or_exit(const std::string& subcommand, const OptionTable& table,
                                 const std::string& usage, const std::string& footer,
                                 const std::vector<std::string>& arguments,
                                 ParsedCommandLine& parsed);

// The command to run: `command`, or the user's shell when it is empty, as util-linux does.
std::vector<std::string> command_or_shell(std::vector<std::string> command);

// nsbench's exit code for a failed operation: 126/127 for exec failures, 2 for a request refused
// before any syscall (no errno: a usage problem), 1 otherwise.
int exit_code_for(const Error& error);

// Starts `command` with the engine, waits for it and returns its status for nsbench's exit: the
// command's own status, 126/127 when it cannot be executed, 1 when the engine failed.
int run_and_wait(const std::string& subcommand, const engine::SpawnOptions& options,
                 const std::vector<std::string>& command);

// Replaces nsbench with `command`; returns only when that fails, after saying why, with 126/127.
int exec_in_place(const std::string& subcommand, const std::vector<std::string>& command);

// How messages name the program: "nsbench unshare", or "unshare" when invoked by that name.
std::string program_name(const std::string& subcommand);

// Prints "nsbench NAME: MESSAGE" (or "unshare: MESSAGE", invoked so) on stderr as the one line a
// failure gets.
void print_error(const std::string& subcommand, const std::string& message);
void print_error(const std::string& subcommand, const Error& error);

}  // namespace nsbench::cli
