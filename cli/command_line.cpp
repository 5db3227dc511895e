#include "cli/command_line.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli/exit_codes.h"
#include "cli/option_table.h"

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

// The option of `app` with this long name ("net") or short name ("n"), if any.
const CLI::Option* find_option(const CLI::App& app, const std::string& name) {
  for (const CLI::Option* option : app.get_options()) {
    if (name.size() == 1 ? option->check_sname(name) : option->check_lname(name))
      return option;
  }
  return nullptr;
}

// The parser reads "--net=" (nothing after the '=') as "--net" alone, so for an option whose value
// is optional (--net[=FILE], --kill-child[=SIGNAL]) an empty value would quietly mean "none given".
// Finds such a word among the options of `app` in `words`; the scan ends where the command
// begins: at "--" or at the first word that is neither an option nor an option's value.
std::optional<std::string> empty_optional_value(const CLI::App& app,
                                                const std::vector<std::string>& words) {
  for (size_t index = 0; index < words.size(); ++index) {
    const std::string& word = words[index];
    if (word == "--" || word.size() < 2 || word[0] != '-')
      break;
    if (word.starts_with("--")) {
      const size_t equals = word.find('=');
      const CLI::Option* option = find_option(
          app, word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2));
      if (option == nullptr)
        continue;
      if (equals == std::string::npos && option->get_expected_min() > 0)
        ++index;  // its value is the next word
      else if (equals + 1 == word.size() && option->get_expected_min() == 0)
        return word;
      continue;
    }
    // A cluster of short options ("-fp"); the first that takes a value takes the rest of the word
    // ("-t1") or, at its end, the next word ("-t 1").
    for (size_t letter = 1; letter < word.size(); ++letter) {
      const CLI::Option* option = find_option(app, word.substr(letter, 1));
      if (option != nullptr && option->get_expected_min() > 0) {
        if (letter + 1 == word.size())
          ++index;
        break;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Result<> check_output_file(const std::string& path) {
  if (path.empty())
    return {};
  if (std::filesystem::is_directory(path))
    return plain_error("write " + path, "", "it is a directory; give a file name");
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  const std::string where = directory.empty() ? "." : directory.string();
  if (access(where.c_str(), W_OK | X_OK) != 0)
    return system_error("write " + path, where, "the directory must exist and be writable");
  return {};
}

CLI::Validator whole_number_between(long long low, long long high) {
  return CLI::Validator(
      [low, high](const std::string& text) {
        long long value = 0;
        return take_whole_number(text.c_str(), low, high, value);
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

int run_command_line(const std::vector<Subcommand>& table,
                     const std::vector<std::string>& arguments) {
  CLI::App app{"nsbench: benchmarks and eBPF probes for Linux namespace operations"};
  app.name("nsbench");
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

  std::vector<std::string> after_dash;
  std::vector<std::string> before_dash = split_at_double_dash(arguments, &after_dash);
  const std::string first_word = before_dash.empty() ? "" : before_dash.front();

  std::map<CLI::App*, Action> actions;
  for (const Subcommand& subcommand : table) {
    CLI::App* sub = app.add_subcommand(subcommand.name, subcommand.description);
    actions[sub] = subcommand.define(*sub);
  }

  for (const auto& [sub, action] : actions) {
    if (sub->get_name() != first_word)
      continue;
    const std::vector<std::string> options(before_dash.begin() + 1, before_dash.end());
    if (auto empty = empty_optional_value(*sub, options)) {
      fmt::print(stderr,
                 "nsbench {}: {}: the value after '=' is empty; give one, or leave out the '='\n",
                 first_word, *empty);
      return usage_exit_code();
    }
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
