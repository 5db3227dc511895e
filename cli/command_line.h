// Parsing a command line against a table of subcommands and running the chosen one, with the
// error and help handling every nsbench executable shares.
#pragma once

#include <string>
#include <vector>

#include "cli/subcommand.h"

namespace nsbench::cli {

// `arguments` is the whole command line, program name first. Returns the process's exit code.
int run_command_line(const std::vector<Subcommand>& table,
                     const std::vector<std::string>& arguments);

}  // namespace nsbench::cli
