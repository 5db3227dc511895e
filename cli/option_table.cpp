#include "cli/option_table.h"

#include <getopt.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include <fmt/core.h>

namespace nsbench::cli {

namespace {

// getopt_long identifies a long option by this value plus its index in the table.
constexpr int kLongOptionBase = 0x1000;
// -h/--help and -V/--version, below the table's values and above every short option's.
constexpr int kHelpValue = kLongOptionBase - 2;
constexpr int kVersionValue = kLongOptionBase - 1;
constexpr int kFirstNonCharacter = 0x100;

// "--net" or "-n", as the messages name an option.
std::string spelled(const OptionSpec& spec) {
  return spec.long_name != nullptr ? std::string("--") + spec.long_name
                                   : std::string("-") + spec.short_name;
}

int has_arg(Value value) {
  switch (value) {
    case Value::required:
      return required_argument;
    case Value::optional:
      return optional_argument;
    default:
      return no_argument;
  }
}

// What is wrong with a long option getopt_long refused: a value given to an option that takes
// none, a prefix of several options, or no such option.
std::string unknown_long_option(const OptionTable& table, const std::string& word) {
  const size_t equals = word.find('=');
  const std::string name =
      word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
  std::vector<std::string> names = {"help", "version"};
  for (const OptionSpec& spec : table) {
    if (spec.long_name != nullptr)
      names.emplace_back(spec.long_name);
  }
  std::string candidates;
  for (const std::string& long_name : names) {
    if (!long_name.starts_with(name))
      continue;
    if (name == long_name)
      return fmt::format("option '--{}' takes no value", name);
    candidates += fmt::format("{}--{}", candidates.empty() ? "" : ", ", long_name);
  }
  if (!name.empty() && candidates.find(',') != std::string::npos)
    return fmt::format("option '--{}' is ambiguous: {}", name, candidates);
  return fmt::format("unrecognized option '{}'", word);
}

}  // namespace

std::expected<ParsedCommandLine, std::string> parse_command_line(
    const OptionTable& table, const std::vector<std::string>& arguments) {
  // "+": stop at the first word that is not an option, as util-linux does (the command's own
  // options are its own); ":": report a missing value apart from an unknown option.
  std::string short_options = "+:hV";
  std::vector<option> long_options;
  for (size_t index = 0; index < table.size(); ++index) {
    const OptionSpec& spec = table[index];
    if (spec.short_name != 0) {
      short_options += spec.short_name;
      if (spec.value != Value::none && !spec.short_takes_no_value)
        short_options += spec.value == Value::required ? ":" : "::";
    }
    if (spec.long_name != nullptr) {
      long_options.push_back(option{spec.long_name, has_arg(spec.value), nullptr,
                                    kLongOptionBase + static_cast<int>(index)});
    }
  }
  long_options.push_back(option{"help", no_argument, nullptr, kHelpValue});
  long_options.push_back(option{"version", no_argument, nullptr, kVersionValue});
  long_options.push_back(option{nullptr, 0, nullptr, 0});

  // getopt wants writable argv; it only reorders with a "-" or without a "+", so copies suffice.
  std::vector<std::string> words = {"nsbench"};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& word : words)
    argv.push_back(word.data());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(words.size());

  ParsedCommandLine parsed;
  opterr = 0;  // the messages are ours
  optind = 0;  // a full restart of getopt's state
  for (;;) {
    const int found =
        getopt_long(argc, argv.data(), short_options.c_str(), long_options.data(), nullptr);
    if (found == -1)
      break;
    const std::string word = optind > 0 && optind <= argc ? words[optind - 1] : "";
    if (found == '?') {
      if (optopt != 0 && optopt < kFirstNonCharacter)
        return std::unexpected(fmt::format("unrecognized option '-{}'", static_cast<char>(optopt)));
      return std::unexpected(unknown_long_option(table, word));
    }
    if (found == ':') {
      if (optopt != 0 && optopt < kFirstNonCharacter)
        return std::unexpected(
            fmt::format("option '-{}' needs a value", static_cast<char>(optopt)));
      return std::unexpected(fmt::format("option '{}' needs a value", word));
    }
    // As util-linux does, help and version act where they stand: what follows is not looked at.
    if (found == 'h' || found == kHelpValue) {
      parsed.help = true;
      return parsed;
    }
    if (found == 'V' || found == kVersionValue) {
      parsed.version = true;
      return parsed;
    }

    const OptionSpec* spec = nullptr;
    if (found >= kLongOptionBase) {
      spec = &table[static_cast<size_t>(found - kLongOptionBase)];
    } else {
      spec = &*std::find_if(table.begin(), table.end(),
                            [found](const OptionSpec& s) { return s.short_name == found; });
    }
    // "--net=" gives an empty value; for an optional value it would otherwise pass for "none".
    if (optarg != nullptr && *optarg == '\0') {
      if (!word.ends_with('='))
        return std::unexpected(fmt::format("{}: the value is empty", spelled(*spec)));
      return std::unexpected(
          fmt::format("{}=: the value after '=' is empty; give one{}", spelled(*spec),
                      spec->value == Value::optional ? ", or leave out the '='" : ""));
    }
    if (std::string problem = spec->take(optarg); !problem.empty())
      return std::unexpected(fmt::format("{}: {}", spelled(*spec), problem));
  }
  parsed.command.assign(words.begin() + std::min(optind, argc), words.end());
  return parsed;
}

std::string usage_text(const std::string& usage, const OptionTable& table,
                       const std::string& footer) {
  std::string text = usage + "\n\nOptions:\n";
  for (const OptionSpec& spec : table) {
    std::string names = spec.short_name != 0 ? fmt::format("-{}", spec.short_name) : "  ";
    if (spec.long_name != nullptr)
      names += fmt::format("{}--{}", spec.short_name != 0 ? ", " : "  ", spec.long_name);
    if (spec.value == Value::required)
      names += fmt::format(" {}", spec.value_name);
    else if (spec.value == Value::optional)
      names += fmt::format("[={}]", spec.value_name);
    // A long spelling gets its own line, so that no description runs into it.
    if (names.size() > 28)
      text += fmt::format("  {}\n  {:<28} {}\n", names, "", spec.help);
    else
      text += fmt::format("  {:<28} {}\n", names, spec.help);
  }
  text += fmt::format("  {:<28} {}\n", "-h, --help", "print this help and exit");
  text += fmt::format("  {:<28} {}\n", "-V, --version", "print the version and exit");
  if (!footer.empty())
    text += "\n" + footer + "\n";
  return text;
}

std::string take_whole_number(const char* value, long long low, long long high, long long& into) {
  const std::string text = value != nullptr ? value : "";
  long long number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc::result_out_of_range)
    return fmt::format("'{}' is not between {} and {}", text, low, high);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    return fmt::format("'{}' is not a whole number", text);
  if (number < low || number > high)
    return fmt::format("'{}' is not between {} and {}", text, low, high);
  into = number;
  return "";
}

std::string take_one_of(const char* value, const std::vector<std::string>& allowed,
                        std::string& into) {
  const std::string text = value != nullptr ? value : "";
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    std::string choices;
    for (const std::string& choice : allowed)
      choices += (choices.empty() ? "" : ", ") + choice;
    return fmt::format("'{}' is not one of {}", text, choices);
  }
  into = text;
  return "";
}

}  // namespace nsbench::cli
