// nsbench: benchmarks, probes and a namespace engine for Linux namespace operations. This
// executable holds the engine's subcommands (unshare, enter, init) and starts as fast as the
// util-linux tools it stands in for; run, trace and overhead live in nsbench-telemetry, which it
// executes for them (see telemetry_launcher.h).
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/exit_codes.h"
#include "cli/subcommand.h"
#include "cli/telemetry_launcher.h"

namespace {

struct EngineSubcommand {
  const char* name;
  const char* description;
  int (*main)(const std::vector<std::string>& arguments);
};

constexpr EngineSubcommand kEngineSubcommands[] = {
    {"unshare", "Run a program in new namespaces (util-linux unshare's options)",
     nsbench::cli::unshare_main},
    {"enter", "Run a program in the namespaces of another process (nsenter's options)",
     nsbench::cli::enter_main},
    {"init", "Run a program under a minimal init: forward signals, reap zombies",
     nsbench::cli::init_main},
};

void print_usage() {
  fmt::print(
      "nsbench: benchmarks and eBPF probes for Linux namespace operations\n\n"
      "Usage: nsbench SUBCOMMAND [options] (nsbench SUBCOMMAND --help for its options)\n\n"
      "Subcommands:\n");
  for (const EngineSubcommand& subcommand : kEngineSubcommands)
    fmt::print("  {:<10} {}\n", subcommand.name, subcommand.description);
  for (const auto& [name, description] :
       {std::pair{"run", nsbench::cli::kRunDescription},
        std::pair{"trace", nsbench::cli::kTraceDescription},
        std::pair{"overhead", nsbench::cli::kOverheadDescription}}) {
    fmt::print("  {:<10} {}\n", name, description);
  }
}

// Invoked through a link named like a util-linux tool, nsbench is that tool: the name selects the
// subcommand, so existing scripts run against nsbench unchanged.
std::vector<std::string> arguments_with_subcommand_from_name(int argc, char** argv) {
  const std::string path = argv[0];
  const std::string invoked = path.substr(path.rfind('/') + 1);
  std::vector<std::string> arguments(argv, argv + argc);
  if (invoked == "unshare" || invoked == "nsenter") {
    arguments.insert(arguments.begin() + 1, invoked == "unshare" ? "unshare" : "enter");
    nsbench::cli::util_linux_exit_codes() = true;
    nsbench::cli::util_linux_name() = invoked;
  }
  return arguments;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments = arguments_with_subcommand_from_name(argc, argv);
  const std::string first_word = arguments.size() > 1 ? arguments[1] : "";

  if (nsbench::cli::is_telemetry_subcommand(first_word))
    return nsbench::cli::execute_telemetry(arguments);
  for (const EngineSubcommand& subcommand : kEngineSubcommands) {
    if (first_word == subcommand.name)
      return subcommand.main(std::vector<std::string>(arguments.begin() + 2, arguments.end()));
  }

  if (first_word == "--version" || first_word == "-V") {
    fmt::print("{}\n", nsbench::cli::kVersion);
    return nsbench::cli::kExitSuccess;
  }
  if (first_word == "--help" || first_word == "-h") {
    print_usage();
    return nsbench::cli::kExitSuccess;
  }
  if (first_word.empty())
    fmt::print(stderr, "nsbench: a subcommand is needed\n");
  else if (first_word.starts_with("-"))
    fmt::print(stderr, "nsbench: unrecognized option '{}'\n", first_word);
  else
    fmt::print(stderr, "nsbench: unknown subcommand '{}'\n", first_word);
  fmt::print(stderr, "Try 'nsbench --help' for more information.\n");
  return nsbench::cli::kExitUsage;
}
