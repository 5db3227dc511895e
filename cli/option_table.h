// The command lines of unshare, enter and init, parsed by getopt_long(3): the parser util-linux's
// own tools use, so that every spelling they accept is accepted alike -- clusters of short options
// (-fp), values attached or apart (-t1, -t 1, --target=1, --target 1), optional values only
// attached (-n/run/netns/x, --net=FILE), unambiguous abbreviations of long names (--mount-p), and
// the options ending at "--" or at the first word that is not one, where the command begins. It
// also keeps these commands' start cheap: a table of plain structs, no parser objects to build.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <vector>

namespace nsbench::cli {

enum class Value { none, required, optional };

struct OptionSpec {
  char short_name = 0;              // 0 for a long name only
  const char* long_name = nullptr;  // "net", without the dashes
  Value value = Value::none;
  const char* value_name = "";  // how the help names the value: FILE, PID
  const char* help = "";
  // Takes the option, with its value or nullptr when none was given. Returns the problem with the
  // value ("'abc' is not a whole number"), or an empty string when it is accepted.
  std::function<std::string(const char* value)> take;
  // util-linux unshare's short namespace options take no value, only their long forms do (-m,
  // --mount[=FILE]), so that "-muinp" is a cluster of four options.
  bool short_takes_no_value = false;
};

using OptionTable = std::vector<OptionSpec>;

struct ParsedCommandLine {
  bool help = false;                 // -h/--help was given: print the usage and nothing else
  bool version = false;              // -V/--version was given: print the version and nothing else
  std::vector<std::string> command;  // the words after the options
};

// Parses `arguments`, the words after the subcommand, against `table`, -h/--help and
// -V/--version (util-linux's spellings). A wrong
// command line is the one line that says what is wrong, naming the option.
std::expected<ParsedCommandLine, std::string> parse_command_line(
    const OptionTable& table, const std::vector<std::string>& arguments);

// The --help text: the usage line, each option with its help, and `footer`.
std::string usage_text(const std::string& usage, const OptionTable& table,
                       const std::string& footer);

// Value checks for tables, each storing what it accepts in `into` and returning the problem
// otherwise, worded as OptionSpec::take wants.
std::string take_whole_number(const char* value, long long low, long long high, long long& into);
std::string take_one_of(const char* value, const std::vector<std::string>& allowed,
                        std::string& into);

}  // namespace nsbench::cli
