#include "cli/command_line.h"

#include <algorithm>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli/exit_codes.h"

namespace nsbench::cli {

namespace {

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

int run_command_line(const std::vector<Subcommand>& table,
                     const std::vector<std::string>& arguments) {
  CLI::App app{"nsbench: benchmarks and eBPF probes for Linux namespace operations"};
  app.name("nsbench");
  app.require_subcommand(1);
  app.set_version_flag("--version", "nsbench 0.1.0");

  std::vector<std::string> after_dash;
  std::vector<std::string> before_dash = split_at_double_dash(arguments, &after_dash);
  const std::string first_word = before_dash.empty() ? "" : before_dash.front();

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
      return usage_exit_code();
    }
    const CLI::App* chosen =
        app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
    fmt::print(stderr, "nsbench{}: {}\n", chosen ? " " + chosen->get_name() : "", error.what());
    fmt::print(stderr, "Try 'nsbench{} --help' for more information.\n",
               chosen ? " " + chosen->get_name() : "");
    return usage_exit_code();
  }
}

}  // namespace nsbench::cli
