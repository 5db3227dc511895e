// End-to-end tests of bad command lines: each gets its documented exit code and one error line
// naming the problem, and leaves no process or mount behind.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ostream>

#include "cli_test.h"

namespace nsbench::testing {
namespace {

struct BadInputCase {
  const char* name;
  std::vector<std::string> arguments;
  int exit_code;
  const char* subcommand;  // the error line starts with "nsbench SUBCOMMAND: "
  const char* named;       // what the error line must mention
};

// Shown by gtest (and in ctest's test names) as the command line itself.
void PrintTo(const BadInputCase& bad, std::ostream* out) {
  *out << "nsbench";
  for (const std::string& argument : bad.arguments)
    *out << ' ' << argument;
}

// A PID unlikely to be in use; the test checks that it is free before relying on it.
constexpr pid_t kDeadPid = 999999;

const BadInputCase kCases[] = {
    {"UnknownUnshareOption", {"unshare", "--bogus"}, 2, "unshare", "'--bogus'"},
    {"UnknownEnterOption", {"enter", "-x"}, 2, "enter", "'-x'"},
    {"EnterWithoutNamespaces", {"enter", "true"}, 2, "enter", "give a namespace"},
    {"EnterWithoutTarget", {"enter", "-n"}, 2, "enter", "no target"},
    {"EnterWithNonNumericTarget", {"enter", "-t", "abc", "-n"}, 2, "enter", "'abc'"},
    {"EnterWithDeadTarget", {"enter", "-t", "999999", "-n", "true"}, 1, "enter", "999999"},
    // Skipping what cannot be looked at would run the command in nsbench's own namespaces.
    {"EnterAllWithDeadTarget", {"enter", "-t", "999999", "-a", "true"}, 1, "enter", "has exited"},
    {"TraceIntervalNotANumber", {"trace", "--interval", "nan"}, 2, "trace", "nan"},
    {"TraceEmptyCgroup", {"trace", "--cgroup", ""}, 2, "trace", "cgroup v2 directory"},
    {"RunFilterMatchingNothing", {"run", "--filter", "nomatch"}, 2, "run", "no scenario"},
    {"RunPushToPortOutOfRange", {"run", "--push", "http://127.0.0.1:99999"}, 2, "run", "65535"},
    {"RunJsonIntoADirectory", {"run", "--json", "/tmp"}, 2, "run", "is a directory"},
    {"OverheadJsonIntoMissingDirectory",
     {"overhead", "--json", "/nonexistent/x.json"},
     2,
     "overhead",
     "/nonexistent"},
    {"NestNotANumber",
     {"unshare", "--nest", "abc", "true"},
     2,
     "unshare",
     "'abc' is not a whole number"},
    {"NestOutOfRange",
     {"unshare", "--nest", "0", "true"},
     2,
     "unshare",
     "'0' is not between 1 and"},
    {"TraceDurationInfinite", {"trace", "--duration", "inf"}, 2, "trace", "inf"},
    // (uid_t)-1 means "unchanged" to setresuid(): the command would keep running as root.
    {"UnshareSetuidMinusOne", {"unshare", "-S", "4294967295", "id"}, 2, "unshare", "4294967295"},
    {"UnshareSetgidMinusOne", {"unshare", "-G", "-1", "id"}, 2, "unshare", "not a valid ID"},
    {"NestWithVeth", {"unshare", "--nest", "2", "--veth", "a:b", "true"}, 2, "unshare", "--veth"},
    {"NestWithHostname",
     {"unshare", "--nest", "2", "--hostname", "h", "true"},
     2,
     "unshare",
     "--hostname"},
    {"NestWithSetuid", {"unshare", "--nest", "2", "-S", "1000", "id"}, 2, "unshare", "--setuid"},
    {"NestWithMapUsers",
     {"unshare", "--nest", "2", "-U", "--map-users", "0:100000:10", "true"},
     2,
     "unshare",
     "ID mappings"},
    // util-linux's unshare fails on these too (writing /proc/self/setgroups; a contradiction).
    {"SetgroupsWithoutUserNamespace",
     {"unshare", "--setgroups", "deny", "true"},
     2,
     "unshare",
     "-U/--user"},
    {"SetgroupsAllowWithMapRootUser",
     {"unshare", "-r", "--setgroups", "allow", "true"},
     2,
     "unshare",
     "cannot be combined"},
    // The parser alone would read "--net=" as "--net": a namespace not kept where none was named.
    {"EmptyNamespaceFile", {"unshare", "--net=", "true"}, 2, "unshare", "--net=: the value"},
    {"EmptyKillChildSignal",
     {"unshare", "-f", "--kill-child=", "true"},
     2,
     "unshare",
     "--kill-child="},
    {"EmptyNamespaceFileToJoin", {"enter", "-t", "1", "--uts=", "true"}, 2, "enter", "--uts="},
    {"EnterWithFileOfAnotherType",
     {"enter", "--mount=/proc/self/ns/net", "true"},
     1,
     "enter",
     "holds a net namespace, not a mnt one"},
    {"OverlappingMapUsers",
     {"unshare", "-U", "--map-users", "0:100000:10", "--map-users", "5:200000:10", "true"},
     2,
     "unshare",
     "overlap"},
    {"TwoVethPairs",
     {"unshare", "-f", "--veth", "a1:eth0", "--veth", "a2:eth1", "true"},
     2,
     "unshare",
     "one pair per command"},
    {"TimeFileWithOffsetsAndFork",
     {"unshare", "-f", "--time=/tmp/nsbench-bad-input-time", "--boottime=5", "true"},
     2,
     "unshare",
     "without --fork"},
    {"NestedCommandNotFound",
     {"unshare", "--nest", "2", "/nonexistent/cmd"},
     127,
     "unshare",
     "/nonexistent/cmd"},
    {"EnterWithBothWorkingDirectories",
     {"enter", "-t", "1", "-w/tmp", "-W", "/tmp", "true"},
     2,
     "enter",
     "not both"},
    {"OneFileForTwoNamespaces",
     {"unshare", "--net=/tmp/nsbench-bad-input-ns", "--uts=/tmp/nsbench-bad-input-ns", "true"},
     2,
     "unshare",
     "a file of its own"},
    {"MapUserMinusOne",
     {"unshare", "-U", "--map-user", "4294967295", "true"},
     2,
     "unshare",
     "not a valid ID"},
    {"UnshareOfMissingCommand",
     {"unshare", "-fp", "/nonexistent/cmd"},
     127,
     "unshare",
     "/nonexistent/cmd"},
};

class BadInput : public ::testing::TestWithParam<BadInputCase> {
 protected:
  void SetUp() override {
    // Orphans of nsbench are re-parented to the test instead of the host's init, so anything
    // left running shows up among the test's children.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  }

  void TearDown() override {
    for (pid_t leftover : children_of(getpid())) {
      kill(leftover, SIGKILL);
      waitpid(leftover, nullptr, 0);
    }
  }
};

TEST_P(BadInput, ExitsWithTheDocumentedCodeAndNamesTheProblem) {
  NSBENCH_REQUIRE_ROOT();
  const BadInputCase& bad = GetParam();
  if (std::ranges::find(bad.arguments, std::to_string(kDeadPid)) != bad.arguments.end()) {
    ASSERT_TRUE(kill(kDeadPid, 0) < 0 && errno == ESRCH) << "PID " << kDeadPid << " is alive";
  }
  const std::string mounts_before = read_text_file("/proc/self/mountinfo");

  std::vector<std::string> argv = {kNsbench};
  argv.insert(argv.end(), bad.arguments.begin(), bad.arguments.end());
  const CommandResult result = run_command(argv);

  EXPECT_EQ(result.exit_code(), bad.exit_code) << result.describe();
  const std::string first_line = result.first_error_line();
  EXPECT_TRUE(first_line.starts_with(std::string("nsbench ") + bad.subcommand + ": "))
      << result.describe();
  EXPECT_NE(first_line.find(bad.named), std::string::npos) << result.describe();
  EXPECT_EQ(result.standard_output, "");

  EXPECT_EQ(children_of(getpid()), std::vector<pid_t>{});
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), mounts_before);
}

INSTANTIATE_TEST_SUITE_P(Cli, BadInput, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<BadInputCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace nsbench::testing
