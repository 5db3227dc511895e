// nsbench: benchmarks, probes and a namespace engine for Linux namespace operations.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli/exit_codes.h"
#include "cli/subcommand.h"
#include "cli/telemetry_module.h"

namespace {

using nsbench::cli::Action;
using nsbench::cli::Subcommand;

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

// Everything after a "--" is the command to run, untouched by the option parser.
std::vector<std::string> split_at_double_dash(const std::vector<std::string>& arguments,
                                              std::vector<std::string>* after) {
  std::vector<std::string> before;
  size_t i = 1;
  for (; i < arguments.size() && arguments[i] != "--"; ++i)
    before.push_back(arguments[i]);
  for (++i; i < arguments.size(); ++i)
    after->push_back(arguments[i]);
  return before;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nsbench: benchmarks and eBPF probes for Linux namespace operations"};
  app.name("nsbench");
  app.require_subcommand(1);
  app.set_version_flag("--version", "nsbench 0.1.0");

  std::vector<std::string> after_dash;
  std::vector<std::string> before_dash =
      split_at_double_dash(arguments_with_subcommand_from_name(argc, argv), &after_dash);
  const std::string first_word = before_dash.empty() ? "" : before_dash.front();

  // run, trace and overhead come from a module, loaded only when asked for (telemetry_module.h).
  std::vector<Subcommand> table = nsbench::cli::telemetry_subcommands(
      std::ranges::find(nsbench::cli::kTelemetrySubcommandNames, first_word) !=
      std::end(nsbench::cli::kTelemetrySubcommandNames));
  table.push_back(nsbench::cli::unshare_subcommand());
  table.push_back(nsbench::cli::enter_subcommand());
  table.push_back(nsbench::cli::init_subcommand());

  std::map<CLI::App*, Action> actions;
  for (const Subcommand& subcommand : table) {
    CLI::App* sub = app.add_subcommand(subcommand.name, subcommand.description);
    actions[sub] = subcommand.define(*sub);
  }

  std::reverse(before_dash.begin(), before_dash.end());  // CLI11 takes its vector reversed
  try {
    app.parse(before_dash);
    CLI::App* chosen = app.get_subcommands().front();
    return actions.at(chosen)(after_dash);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    if (app.get_subcommands().empty() && !first_word.empty() && !first_word.starts_with("-")) {
      fmt::print(stderr, "nsbench: unknown subcommand '{}'\n", first_word);
      fmt::print(stderr, "Try 'nsbench --help' for more information.\n");
      return nsbench::cli::usage_exit_code();
    }
    const CLI::App* chosen =
        app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
    fmt::print(stderr, "nsbench{}: {}\n", chosen ? " " + chosen->get_name() : "", error.what());
    fmt::print(stderr, "Try 'nsbench{} --help' for more information.\n",
               chosen ? " " + chosen->get_name() : "");
    return nsbench::cli::usage_exit_code();
  }
}
