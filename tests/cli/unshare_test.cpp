// End-to-end tests of `nsbench unshare`: what the command sees, and what the host keeps.
#include <unistd.h>

#include <array>
#include <map>
#include <sstream>

#include <fmt/core.h>

#include "cli_test.h"
#include "support.h"

namespace nsbench::testing {
namespace {

constexpr std::array<const char*, 8> kNamespaceNames = {"mnt", "uts",  "ipc",    "pid",
                                                        "net", "user", "cgroup", "time"};

// Parses "NAME INODE" lines.
std::map<std::string, ino_t> parse_namespace_inodes(const std::string& output) {
  std::map<std::string, ino_t> inodes;
  std::istringstream lines(output);
  std::string name;
  ino_t inode = 0;
  while (lines >> name >> inode)
    inodes[name] = inode;
  return inodes;
}

TEST(UnshareCommand, UnshareForkPidMountProcShowsOnlyTheCommand) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(ps, "ps", "procps");
  NSBENCH_REQUIRE_PROGRAM(util_linux_unshare, "unshare", "util-linux");

  const CommandResult ours = run_command({kNsbench, "unshare", "-fp", "--mount-proc", "ps", "aux"});
  ASSERT_EQ(ours.exit_code(), 0) << ours.describe();
  const std::optional<std::vector<PsRow>> rows = parse_ps_aux(ours.standard_output);
  ASSERT_TRUE(rows) << "not a ps aux listing:\n" << ours.standard_output;
  EXPECT_EQ(*rows, (std::vector<PsRow>{{1, "ps aux"}}));

  // util-linux's unshare with the same options is the behaviour users expect.
  const CommandResult reference =
      run_command({*util_linux_unshare, "-fp", "--mount-proc", "ps", "aux"});
  ASSERT_EQ(reference.exit_code(), 0) << reference.describe();
  EXPECT_EQ(rows, parse_ps_aux(reference.standard_output)) << reference.standard_output;
}

TEST(UnshareCommand, MountProcLeavesTheHostMountTableUnchanged) {
  NSBENCH_REQUIRE_ROOT();
  const std::string before = read_text_file("/proc/self/mountinfo");
  ASSERT_FALSE(before.empty());

  // The new /proc must stay in the command's mount namespace: / is made private there first, so
  // not even a shared host mount propagates it back.
  const CommandResult with_proc = run_command({kNsbench, "unshare", "-fp", "--mount-proc", "true"});
  ASSERT_EQ(with_proc.exit_code(), 0) << with_proc.describe();
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), before);

  // Without --fork, nsbench unshares its own mount namespace and execs the command.
  const CommandResult in_place = run_command({kNsbench, "unshare", "-m", "true"});
  ASSERT_EQ(in_place.exit_code(), 0) << in_place.describe();
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), before);
}

TEST(UnshareCommand, MountProcTakesADirectoryLikeUtilLinux) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(util_linux_unshare, "unshare", "util-linux");
  char pattern[] = "/tmp/nsbench-proc-XXXXXX";
  const std::string directory = mkdtemp(pattern);
  const std::string before = read_text_file("/proc/self/mountinfo");

  // The command reads its own PID through the proc mounted at DIR: 1, as PID 1 of the namespace.
  for (const std::string& tool : {std::string(kNsbench), *util_linux_unshare}) {
    std::vector<std::string> argv = {tool};
    if (tool == kNsbench)
      argv.push_back("unshare");
    argv.insert(argv.end(), {"-fp", "--mount-proc=" + directory, "sh", "-c",
                             "exec cut -d' ' -f1 " + directory + "/self/stat"});
    const CommandResult result = run_command(argv);
    EXPECT_EQ(result.exit_code(), 0) << result.describe();
    EXPECT_EQ(result.standard_output, "1\n") << tool;
  }
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), before);

  // A directory that does not exist is named, and fails as util-linux's does.
  const CommandResult missing =
      run_command({kNsbench, "unshare", "-fp", "--mount-proc=" + directory + "/none", "true"});
  EXPECT_EQ(missing.exit_code(), 1) << missing.describe();
  EXPECT_NE(missing.first_error_line().find(directory + "/none"), std::string::npos)
      << missing.describe();
  rmdir(directory.c_str());
}

TEST(UnshareCommand, EveryNamespaceOfTheCommandDiffersFromTheParent) {
  NSBENCH_REQUIRE_ROOT();
  NSBENCH_REQUIRE_PROGRAM(stat_tool, "stat", "coreutils");

  // $$ is the shell nsbench started, not a child of it: a process is only in the new PID and time
  // namespaces if it was created into them, while its children would be in any case.
  std::string script = "for n in";
  for (const char* name : kNamespaceNames)
    script += fmt::format(" {}", name);
  script += "; do echo $n $(stat -L -c %i /proc/$$/ns/$n); done";
  const CommandResult result =
      run_command({kNsbench, "unshare", "-fmuinpUCT", "--mount-proc", "sh", "-c", script});
  ASSERT_EQ(result.exit_code(), 0) << result.describe();

  const std::map<std::string, ino_t> command_inodes =
      parse_namespace_inodes(result.standard_output);
  for (const char* name : kNamespaceNames) {
    SCOPED_TRACE(name);
    const ino_t parent_inode = namespace_inode(fmt::format("/proc/self/ns/{}", name));
    ASSERT_NE(parent_inode, 0u);
    ASSERT_TRUE(command_inodes.contains(name)) << result.standard_output;
    EXPECT_NE(command_inodes.at(name), 0u) << result.standard_output;
    EXPECT_NE(command_inodes.at(name), parent_inode);
  }
}

}  // namespace
}  // namespace nsbench::testing
