// nsbench: benchmarks, probes and a namespace engine for Linux namespace operations. This
// executable holds the engine's subcommands (unshare, enter, init) and starts as fast as the
// util-linux tools it stands in for; run, trace and overhead live in nsbench-telemetry, which it
// executes for them (see telemetry_launcher.h).
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "cli/subcommand.h"
#include "cli/telemetry_launcher.h"

namespace {

// Invoked through a link named like a util-linux tool, nsbench is that tool: the name selects the
// subcommand, so existing scripts run against nsbench unchanged.
std::vector<std::string> arguments_with_subcommand_from_name(int argc, char** argv) {
  const std::string invoked = std::filesystem::path(argv[0]).filename();
  std::vector<std::string> arguments(argv, argv + argc);
  if (invoked == "unshare" || invoked == "nsenter") {
    arguments.insert(arguments.begin() + 1, invoked == "unshare" ? "unshare" : "enter");
    nsbench::cli::util_linux_exit_codes() = true;
  }
  return arguments;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments = arguments_with_subcommand_from_name(argc, argv);
  const std::string first_word = arguments.size() > 1 ? arguments[1] : "";

  if (nsbench::cli::is_telemetry_subcommand(first_word))
    return nsbench::cli::execute_telemetry(arguments);

  // Only the subcommand asked for is defined: its options are all the parser needs, and defining
  // the others would cost every start. Anything else (help, a typo) gets the whole table.
  const std::vector<nsbench::cli::Subcommand> engine_subcommands = {
      nsbench::cli::unshare_subcommand(), nsbench::cli::enter_subcommand(),
      nsbench::cli::init_subcommand()};
  for (const nsbench::cli::Subcommand& subcommand : engine_subcommands) {
    if (first_word != subcommand.name)
      continue;
    return nsbench::cli::run_command_line(
        {subcommand},
        first_word == "enter" ? nsbench::cli::with_attached_optional_values(arguments) : arguments);
  }
  std::vector<nsbench::cli::Subcommand> table = nsbench::cli::telemetry_stand_ins();
  table.insert(table.end(), engine_subcommands.begin(), engine_subcommands.end());
  return nsbench::cli::run_command_line(table, arguments);
}
