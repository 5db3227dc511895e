// End-to-end tests of unshare's options beyond the namespace letters, and of the drop-in names.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli_test.h"
#include "command_runner.h"
#include "support.h"

namespace nsbench::testing {
namespace {

std::string trimmed(const std::string& text) {
  const size_t end = text.find_last_not_of(" \n");
  return end == std::string::npos ? "" : text.substr(0, end + 1);
}

TEST(UnshareOptions, MapRootUserGivesAnUnprivilegedCallerRootInside) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(setpriv, "setpriv", "util-linux");
  for (const char* fork_flag : {"-f", "-U"}) {
    const CommandResult result = run_command(
        {*setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", kNsbench, "unshare", "-r",
         fork_flag, "sh", "-c", "id -u; id -g; cat /proc/self/uid_map"});
    ASSERT_EQ(result.exit_code(), 0) << result.describe();
    EXPECT_TRUE(result.standard_output.starts_with("0\n0\n")) << result.describe();
    EXPECT_NE(result.standard_output.find("65534"), std::string::npos) << result.describe();
  }
}

TEST(UnshareOptions, NestWithUserNamespacesWorksForAnUnprivilegedCaller) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(setpriv, "setpriv", "util-linux");
  // The first level maps its root to the caller's own IDs, the only ones it may map.
  const CommandResult result =
      run_command({*setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", kNsbench,
                   "unshare", "--nest", "3", "-U", "sh", "-c", "id -u; id -g"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  EXPECT_EQ(result.standard_output, "0\n0\n") << result.describe();
  EXPECT_NE(result.standard_error.find("depth reached: 3"), std::string::npos) << result.describe();
}

TEST(UnshareOptions, MapUsersAcceptsBothRangeSpellingsWithAndWithoutFork) {
  NSBENCH_REQUIRE_ROOT();
  // Without -f, nsbench itself enters the namespace, and a helper left outside writes the maps.
  for (const char* fork_flag : {"-f", "-U"}) {
    SCOPED_TRACE(fork_flag);
    const CommandResult result = run_command(
        {kNsbench, "unshare", fork_flag, "--map-users", "0:100000:65536", "--map-groups",
         "100000,0,65536", "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map"});
    ASSERT_EQ(result.exit_code(), 0) << result.describe();
    // Both maps read "0 100000 65536": the comma form is OUTER,INNER,COUNT.
    const std::string line_pattern = "0     100000      65536";
    const size_t first = result.standard_output.find(line_pattern);
    ASSERT_NE(first, std::string::npos) << result.describe();
    EXPECT_NE(result.standard_output.find(line_pattern, first + 1), std::string::npos)
        << result.describe();
  }
}

TEST(UnshareOptions, HostnameAndBoottimeOffsetApplyInsideOnly) {
  NSBENCH_REQUIRE_ROOT();
  const CommandResult result =
      run_command({kNsbench, "unshare", "-fuT", "--hostname", "nsbench-box", "--boottime", "86400",
                   "sh", "-c", "hostname; cut -d. -f1 /proc/uptime"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  EXPECT_TRUE(result.standard_output.starts_with("nsbench-box\n")) << result.describe();
  const long inside_uptime = std::stol(result.standard_output.substr(12));
  EXPECT_GT(inside_uptime, 86400) << result.describe();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_STRNE(host, "nsbench-box");
}

TEST(UnshareOptions, NewNetworkNamespaceHasLoopbackUp) {
  NSBENCH_REQUIRE_ROOT();
  // IFF_UP is bit 0 of the flags the kernel reports for lo.
  const CommandResult result = run_command(
      {kNsbench, "unshare", "-fn", "sh", "-c", "echo $(( $(cat /sys/class/net/lo/flags) & 1 ))"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  EXPECT_EQ(trimmed(result.standard_output), "1") << result.describe();
}

TEST(UnshareOptions, VethPairExistsWhileTheNamespaceLivesAndGoesWithIt) {
  NSBENCH_REQUIRE_ROOT();
  const std::string host_end = "nsbc" + std::to_string(getpid() % 100000);
  // The same pair twice in a row: the first run must not leave its host end for the second to
  // trip over, although the kernel tears the namespace down asynchronously.
  for (int run = 0; run < 2; ++run) {
    const CommandResult result =
        run_command({kNsbench, "unshare", "-f", "--veth", host_end + ":eth0:10.201.0.0/30", "sh",
                     "-c", "cat /proc/net/dev | grep -c eth0"});
    ASSERT_EQ(result.exit_code(), 0) << "run " << run << ": " << result.describe();
    EXPECT_EQ(trimmed(result.standard_output), "1") << result.describe();
    EXPECT_FALSE(std::filesystem::exists("/sys/class/net/" + host_end))
        << host_end << " outlived its namespace";
  }
}

TEST(UnshareOptions, VethLeavesAnInterfaceItDidNotMakeAlone) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(ip, "ip", "iproute2");
  // In a network namespace of the test's own: an existing pair whose name --veth asks for again.
  const std::string script = *ip + " link add taken type veth peer name takenp && " + kNsbench +
                             " unshare -f --veth taken:eth0 true; echo status $?; " + *ip +
                             " -br link show taken";
  const CommandResult result = run_command({kNsbench, "unshare", "-n", "sh", "-c", script});
  EXPECT_NE(result.standard_output.find("status 1"), std::string::npos) << result.describe();
  EXPECT_NE(result.standard_error.find("already exists"), std::string::npos) << result.describe();
  EXPECT_NE(result.standard_output.find("taken@takenp"), std::string::npos)
      << "the existing interface was deleted: " << result.describe();
}

TEST(UnshareOptions, VethPairStaysWhileALeftoverProcessHoldsTheNamespace) {
  NSBENCH_REQUIRE_ROOT();
  const std::string host_end = "nsbd" + std::to_string(getpid() % 100000);
  // The command exits at once but leaves a background sleep in the namespace, which keeps it,
  // and the pair, alive; the sleep reports its PID so the test can end it.
  const CommandResult result =
      run_command({kNsbench, "unshare", "-f", "--veth", host_end + ":eth0:10.202.0.0/30", "sh",
                   "-c", "sleep 30 </dev/null >/dev/null 2>&1 & echo $!"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe();
  const pid_t leftover = std::stoi(trimmed(result.standard_output));
  EXPECT_TRUE(std::filesystem::exists("/sys/class/net/" + host_end))
      << "the pair went while a process still used its namespace";
  kill(leftover, SIGKILL);

  // Now the kernel alone removes the pair, asynchronously.
  bool gone = false;
  for (int attempt = 0; attempt < 100 && !gone; ++attempt) {
    gone = !std::filesystem::exists("/sys/class/net/" + host_end);
    if (!gone)
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(gone) << host_end << " outlived its namespace";
}

TEST(UnshareOptions, NestReportsTheDepthAndNamesTheKernelLimit) {
  NSBENCH_REQUIRE_ROOT();
  const CommandResult deepest = run_command({kNsbench, "unshare", "--nest", "32", "-U", "true"});
  EXPECT_EQ(deepest.exit_code(), 0) << deepest.describe();
  EXPECT_NE(deepest.standard_error.find("depth reached: 32"), std::string::npos)
      << deepest.describe();

  const CommandResult too_deep = run_command({kNsbench, "unshare", "--nest", "33", "true"});
  EXPECT_EQ(too_deep.exit_code(), 1) << too_deep.describe();
  EXPECT_NE(too_deep.first_error_line().find("at most 32"), std::string::npos)
      << too_deep.describe();
}

TEST(UnshareOptions, WaitingUnshareSurvivesSigtermLikeUtilLinux) {
  NSBENCH_REQUIRE_ROOT();
  BackgroundCommand running({kNsbench, "unshare", "-fp", "--mount-proc", "sleep", "1"});
  ASSERT_TRUE(running.started());
  std::this_thread::sleep_for(300ms);
  kill(running.pid(), SIGTERM);
  const std::optional<int> status = running.wait_for_exit(5s);
  ASSERT_TRUE(status.has_value()) << running.output();
  EXPECT_TRUE(WIFEXITED(*status)) << "nsbench died of the signal and left its command behind";
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(UnshareOptions, LinkedAsUnshareAndNsenterItActsAsThoseTools) {
  NSBENCH_REQUIRE_ROOT();
  char directory_pattern[] = "/tmp/nsbench-links-XXXXXX";
  const std::string directory = mkdtemp(directory_pattern);
  std::filesystem::create_symlink(kNsbench, directory + "/unshare");
  std::filesystem::create_symlink(kNsbench, directory + "/nsenter");

  const CommandResult unshared =
      run_command({directory + "/unshare", "-fp", "--mount-proc", "sh", "-c", "echo $$"});
  EXPECT_EQ(trimmed(unshared.standard_output), "1") << unshared.describe();

  const CommandResult entered =
      run_command({directory + "/nsenter", "-t", std::to_string(getpid()), "-u", "true"});
  EXPECT_EQ(entered.exit_code(), 0) << entered.describe();
  std::filesystem::remove_all(directory);
}

TEST(UnshareOptions, UtilLinuxStyleScriptRunsUnchangedAgainstTheLinks) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(util_linux_unshare, "unshare", "util-linux");
  NSBENCH_REQUIRE_PROGRAM(util_linux_nsenter, "nsenter", "util-linux");
  const std::string script =
      std::string(NSBENCH_SOURCE_DIR) + "/tests/cli/scripts/util_linux_style.sh";
  char directory_pattern[] = "/tmp/nsbench-links-XXXXXX";
  const std::string links = mkdtemp(directory_pattern);
  std::filesystem::create_symlink(kNsbench, links + "/unshare");
  std::filesystem::create_symlink(kNsbench, links + "/nsenter");
  const char* path = std::getenv("PATH");
  const std::string search = path != nullptr ? path : "/usr/bin:/bin";

  const CommandResult reference = run_command({"sh", script}, 60s);
  const CommandResult ours =
      run_command({"env", "PATH=" + links + ":" + search, "sh", script}, 60s);
  std::filesystem::remove_all(links);

  ASSERT_EQ(reference.exit_code(), 0) << reference.describe();
  ASSERT_EQ(ours.exit_code(), 0) << ours.describe();
  // The script really ran: the PID-1 line and the host name set inside the target.
  EXPECT_NE(reference.standard_output.find("pid 1\n"), std::string::npos) << reference.describe();
  EXPECT_NE(reference.standard_output.find("inside\n"), std::string::npos) << reference.describe();
  EXPECT_EQ(ours.standard_output, reference.standard_output)
      << "util-linux's stderr:\n"
      << reference.standard_error << "nsbench's stderr:\n"
      << ours.standard_error;
}

TEST(UnshareOptions, BadOptionValuesAreNamed) {
  for (const std::vector<std::string>& arguments :
       std::vector<std::vector<std::string>>{{"--veth", "bad", "-f", "true"},
                                             {"--map-users", "1:2", "true"},
                                             {"--map-user", "no-such-user-xyz", "true"},
                                             {"--kill-child=NOSIG", "true"},
                                             {"--propagation", "sideways", "true"},
                                             {"--nest", "0", "true"},
                                             {"-f", "--hostname", "box", "true"}}) {
    std::vector<std::string> argv = {kNsbench, "unshare"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const CommandResult result = run_command(argv);
    EXPECT_EQ(result.exit_code(), 2) << result.describe();
    EXPECT_TRUE(result.first_error_line().starts_with("nsbench unshare: ")) << result.describe();
  }
}

TEST(Cli, UnderAUtilLinuxNameMessagesBeginWithThatName) {
  char directory_pattern[] = "/tmp/nsbench-names-XXXXXX";
  const std::string links = mkdtemp(directory_pattern);
  std::filesystem::create_symlink(kNsbench, links + "/unshare");
  const CommandResult result = run_command({links + "/unshare", "--bogus"});
  std::filesystem::remove_all(links);
  EXPECT_EQ(result.exit_code(), 1) << result.describe();
  EXPECT_EQ(result.first_error_line(), "unshare: unrecognized option '--bogus'")
      << result.describe();
  EXPECT_NE(result.standard_error.find("Try 'unshare --help'"), std::string::npos)
      << result.describe();
}

TEST(Cli, UnknownSubcommandIsNamed) {
  const CommandResult result = run_command({kNsbench, "bogus"});
  EXPECT_EQ(result.exit_code(), 2);
  EXPECT_NE(result.first_error_line().find("'bogus'"), std::string::npos) << result.describe();
}

}  // namespace
}  // namespace nsbench::testing
