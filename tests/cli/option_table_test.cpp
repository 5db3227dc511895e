// The getopt_long front end of unshare, enter and init, against the spellings util-linux accepts.
#include "cli/option_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nsbench::cli {
namespace {

// A small table in the shape of unshare's: flags, a required value, an optional value whose short
// form takes none, and one whose short form does.
struct Parsed {
  bool fork = false;
  bool net = false;
  std::string net_file;
  bool root = false;
  std::string root_dir;
  long long nest = 0;
  std::vector<std::string> command;
};

std::expected<Parsed, std::string> parse(const std::vector<std::string>& arguments) {
  Parsed parsed;
  const OptionTable table = {
      {'f', "fork", Value::none, "", "",
       [&](const char*) {
         parsed.fork = true;
         return std::string();
       }},
      {'n', "net", Value::optional, "FILE", "",
       [&](const char* value) {
         parsed.net = true;
         parsed.net_file = value != nullptr ? value : "";
         return std::string();
       },
       /*short_takes_no_value=*/true},
      {'r', "root", Value::optional, "DIR", "",
       [&](const char* value) {
         parsed.root = true;
         parsed.root_dir = value != nullptr ? value : "";
         return std::string();
       }},
      {0, "nest", Value::required, "N", "",
       [&](const char* value) { return take_whole_number(value, 1, 32, parsed.nest); }},
      {0, "net-extra", Value::none, "", "", [](const char*) { return std::string(); }},
  };
  auto result = parse_command_line(table, arguments);
  if (!result)
    return std::unexpected(result.error());
  parsed.command = result->command;
  return parsed;
}

TEST(OptionTable, ClustersShortOptionsAndStopsAtTheCommand) {
  auto parsed = parse({"-fn", "sh", "-c", "--fork"});
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_TRUE(parsed->fork);
  EXPECT_TRUE(parsed->net);
  EXPECT_EQ(parsed->net_file, "");
  EXPECT_EQ(parsed->command, (std::vector<std::string>{"sh", "-c", "--fork"}));
}

TEST(OptionTable, OptionalValuesAreOnlyAttached) {
  auto parsed = parse({"--net=/run/netns/a", "-r/srv", "true"});
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->net_file, "/run/netns/a");
  EXPECT_EQ(parsed->root_dir, "/srv");
  EXPECT_EQ(parsed->command, std::vector<std::string>{"true"});

  // Apart, the word is the command, not the value.
  parsed = parse({"--net", "/run/netns/a"});
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->net_file, "");
  EXPECT_EQ(parsed->command, std::vector<std::string>{"/run/netns/a"});
}

TEST(OptionTable, RequiredValuesAttachedOrApartAndAbbreviatedNames) {
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"--nest", "7", "true"}, {"--nest=7", "true"}, {"--nes=7", "true"}}) {
    auto parsed = parse(arguments);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->nest, 7);
    EXPECT_EQ(parsed->command, std::vector<std::string>{"true"});
  }
}

TEST(OptionTable, DoubleDashEndsTheOptions) {
  auto parsed = parse({"-f", "--", "-n"});
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_FALSE(parsed->net);
  EXPECT_EQ(parsed->command, std::vector<std::string>{"-n"});
}

TEST(OptionTable, WrongCommandLinesNameTheProblem) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--bogus"}, "unrecognized option '--bogus'"},
      {{"-x"}, "unrecognized option '-x'"},
      {{"--nest"}, "option '--nest' needs a value"},
      {{"--nest=abc"}, "--nest: 'abc' is not a whole number"},
      {{"--nest=33"}, "--nest: '33' is not between 1 and 32"},
      {{"--fork=yes"}, "option '--fork' takes no value"},
      {{"--ne"}, "option '--ne' is ambiguous: --net, --nest, --net-extra"},
      {{"--net="}, "--net=: the value after '=' is empty; give one, or leave out the '='"},
      {{"--nest", ""}, "--nest: the value is empty"},
      {{"--version=1"}, "option '--version' takes no value"},
  };
  for (const auto& [arguments, message] : cases) {
    auto parsed = parse(arguments);
    ASSERT_FALSE(parsed) << arguments.front();
    EXPECT_EQ(parsed.error(), message);
  }
}

TEST(OptionTable, HelpListsEveryOptionWithItsValue) {
  const OptionTable table = {
      {'n', "net", Value::optional, "FILE", "the network namespace",
       [](const char*) { return std::string(); }},
      {0, "nest", Value::required, "N", "levels", [](const char*) { return std::string(); }},
  };
  const std::string help = usage_text("Usage: x", table, "Footer.");
  EXPECT_NE(help.find("-n, --net[=FILE]"), std::string::npos) << help;
  EXPECT_NE(help.find("--nest N"), std::string::npos) << help;
  EXPECT_NE(help.find("-h, --help"), std::string::npos) << help;
  EXPECT_NE(help.find("Footer."), std::string::npos) << help;

  // As with util-linux, help acts where it stands: nothing after it is looked at.
  auto parsed = parse_command_line(table, {"--help", "--bogus"});
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_TRUE(parsed->help);
}

}  // namespace
}  // namespace nsbench::cli
