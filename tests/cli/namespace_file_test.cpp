// `unshare --TYPE=FILE` keeps a namespace in a file, and `enter --TYPE=FILE` joins it later. The
// bind mounts change the host's mount table, so this binary runs alone (SERIAL).
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli_test.h"

namespace nsbench::testing {
namespace {

class NamespaceFileCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nsbench-cli-nsfiles-XXXXXX";
    directory_ = mkdtemp(pattern);
  }
  void TearDown() override {
    for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
      umount2(entry.path().c_str(), MNT_DETACH);
    }
    std::filesystem::remove_all(directory_);
  }
  std::string path(const std::string& name) const { return directory_ + "/" + name; }

  std::string directory_;
};

TEST_F(NamespaceFileCommands, KeptNetworkNamespaceIsJoinedLaterWithoutFork) {
  NSBENCH_REQUIRE_ROOT();
  const CommandResult kept = run_command({kNsbench, "unshare", "--net=" + path("net"), "true"});
  ASSERT_EQ(kept.exit_code(), 0) << kept.describe();

  struct stat file {};
  ASSERT_EQ(stat(path("net").c_str(), &file), 0);
  const CommandResult joined = run_command(
      {kNsbench, "enter", "--net=" + path("net"), "stat", "-L", "-c", "%i", "/proc/self/ns/net"});
  ASSERT_EQ(joined.exit_code(), 0) << joined.describe();
  EXPECT_EQ(std::stoul(joined.standard_output), file.st_ino) << joined.describe();
}

TEST_F(NamespaceFileCommands, KeptUtsNamespaceKeepsItsHostnameAfterFork) {
  NSBENCH_REQUIRE_ROOT();
  const CommandResult kept = run_command(
      {kNsbench, "unshare", "-f", "-u", "--uts=" + path("uts"), "--hostname", "kept-box", "true"});
  ASSERT_EQ(kept.exit_code(), 0) << kept.describe();
  const CommandResult joined = run_command({kNsbench, "enter", "--uts=" + path("uts"), "hostname"});
  EXPECT_EQ(joined.standard_output, "kept-box\n") << joined.describe();
}

TEST_F(NamespaceFileCommands, MissingDirectoryIsNamedAndNothingIsLeft) {
  NSBENCH_REQUIRE_ROOT();
  for (const char* fork_flag : {"-f", "-n"}) {
    const CommandResult result =
        run_command({kNsbench, "unshare", fork_flag, "--net=" + path("absent/net"), "true"});
    EXPECT_EQ(result.exit_code(), 1) << result.describe();
    EXPECT_NE(result.first_error_line().find(path("absent/net")), std::string::npos)
        << result.describe();
  }
  EXPECT_TRUE(std::filesystem::is_empty(directory_));
}

TEST_F(NamespaceFileCommands, ADeviceOrDirectoryIsRefusedAndNothingIsMounted) {
  NSBENCH_REQUIRE_ROOT();
  // A null device of the test's own: binding a namespace over the real /dev/null would break the
  // machine if the refusal ever failed.
  const std::string device = path("null");
  ASSERT_EQ(mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << std::strerror(errno);
  const std::string subdirectory = path("directory");
  std::filesystem::create_directory(subdirectory);
  const std::string mounts_before = read_text_file("/proc/self/mountinfo");

  for (const std::string& target : {device, subdirectory}) {
    for (const char* fork_flag : {"-f", "-n"}) {
      const CommandResult result =
          run_command({kNsbench, "unshare", fork_flag, "--net=" + target, "true"});
      EXPECT_NE(result.exit_code(), 0) << result.describe();
      EXPECT_NE(result.first_error_line().find("not a regular file"), std::string::npos)
          << result.describe();
    }
  }
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), mounts_before);
  struct stat status {};
  ASSERT_EQ(stat(device.c_str(), &status), 0);
  EXPECT_TRUE(S_ISCHR(status.st_mode));
  std::filesystem::remove(device);
  std::filesystem::remove(subdirectory);
}

TEST_F(NamespaceFileCommands, AFileKeepsOneNamespaceAtATime) {
  NSBENCH_REQUIRE_ROOT();
  const std::string file = path("kept");
  const std::string mounts_before = read_text_file("/proc/self/mountinfo");

  // Two namespaces for one file in one command: refused before anything is bound.
  const CommandResult both =
      run_command({kNsbench, "unshare", "--net=" + file, "--uts=" + file, "true"});
  EXPECT_NE(both.exit_code(), 0) << both.describe();
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), mounts_before);

  // A file that already keeps one: refused, the first left as it was.
  const CommandResult first = run_command({kNsbench, "unshare", "--net=" + file, "true"});
  ASSERT_EQ(first.exit_code(), 0) << first.describe();
  const std::string mounts_with_first = read_text_file("/proc/self/mountinfo");
  const CommandResult second = run_command({kNsbench, "unshare", "--net=" + file, "true"});
  EXPECT_NE(second.exit_code(), 0) << second.describe();
  EXPECT_NE(second.first_error_line().find("already keeps a namespace"), std::string::npos)
      << second.describe();
  EXPECT_EQ(read_text_file("/proc/self/mountinfo"), mounts_with_first);
}

}  // namespace
}  // namespace nsbench::testing
