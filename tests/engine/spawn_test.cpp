#include "engine/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "namespace_inodes.h"
#include "support.h"

namespace nsbench::engine {
namespace {

using nsbench::testing::namespace_inode;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// A child that waits until the test closes the pipe, so that its namespaces can be inspected.
class ParkedChild {
 public:
  explicit ParkedChild(const SpawnOptions& options) {
    if (pipe2(pipe_, O_CLOEXEC) != 0)
      return;
    const int read_end = pipe_[0];
    const int write_end = pipe_[1];
    child_ = spawn_in_namespaces(options, [read_end, write_end]() {
      close(write_end);  // or the child's own copy would keep the pipe from ever closing
      char byte;
      return read(read_end, &byte, 1) == 0 ? 0 : 1;
    });
  }
  ~ParkedChild() { release(); }

  void release() {
    if (pipe_[1] >= 0)
      close(pipe_[1]);
    if (pipe_[0] >= 0)
      close(pipe_[0]);
    pipe_[0] = pipe_[1] = -1;
  }

  Result<ChildProcess>& child() { return child_; }

 private:
  int pipe_[2] = {-1, -1};
  Result<ChildProcess> child_ = plain_error("not started");
};

TEST(Spawn, EveryRequestedNamespaceDiffersFromTheParents) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::all();
  ParkedChild parked(options);
  ASSERT_TRUE(parked.child()) << parked.child().error().message();

  for (NamespaceType type : kAllNamespaceTypes) {
    const ino_t mine = namespace_inode("self", type);
    const ino_t childs = namespace_inode(parked.child()->pid(), type);
    ASSERT_NE(childs, 0u) << name(type);
    EXPECT_NE(mine, childs) << "the child shares the parent's " << name(type) << " namespace";
  }
  parked.release();
  EXPECT_EQ(parked.child()->wait().value_or(-1), 0);
}

TEST(Spawn, UnrequestedNamespacesAreShared) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::uts});
  ParkedChild parked(options);
  ASSERT_TRUE(parked.child()) << parked.child().error().message();
  EXPECT_NE(namespace_inode("self", NamespaceType::uts),
            namespace_inode(parked.child()->pid(), NamespaceType::uts));
  EXPECT_EQ(namespace_inode("self", NamespaceType::net),
            namespace_inode(parked.child()->pid(), NamespaceType::net));
}

TEST(Spawn, CloneFallbackCreatesNamespacesButRefusesTime) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.allow_clone3 = false;
  options.namespaces = NamespaceSet::of({NamespaceType::net, NamespaceType::ipc});
  ParkedChild parked(options);
  ASSERT_TRUE(parked.child()) << parked.child().error().message();
  EXPECT_NE(namespace_inode("self", NamespaceType::net),
            namespace_inode(parked.child()->pid(), NamespaceType::net));

  options.namespaces = NamespaceSet::of({NamespaceType::time});
  auto refused = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().operation, "clone");
}

TEST(Spawn, ChildInNewPidNamespaceIsPidOne) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::pid});
  auto child = spawn_in_namespaces(options, [] { return getpid() == 1 ? 0 : 1; });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

TEST(Spawn, MountProcShowsOnlyTheNewPidNamespaceAndLeavesHostMountsAlone) {
  NSBENCH_REQUIRE_ROOT();
  const std::string host_mounts = read_file("/proc/self/mountinfo");
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::pid, NamespaceType::mnt});
  options.mount_proc = true;
  // /proc/1 must be this very process, and /proc must list no other process.
  auto child = spawn_in_namespaces(options, [] {
    int processes = 0;
    for (int pid = 1; pid < 64; ++pid) {
      processes += access(("/proc/" + std::to_string(pid)).c_str(), F_OK) == 0 ? 1 : 0;
    }
    return processes == 1 && getpid() == 1 ? 0 : 1;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
  EXPECT_EQ(read_file("/proc/self/mountinfo"), host_mounts);
}

TEST(Spawn, MountProcWithoutMountNamespaceIsRefusedBeforeAnyClone) {
  SpawnOptions options;
  options.mount_proc = true;
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("mount namespace"), std::string::npos);
}

TEST(Spawn, MissingCommandIsReportedAsAnErrorNamingIt) {
  auto child = spawn_command(SpawnOptions{}, {"/nonexistent/nsbench-command"});
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().operation, "execute");
  EXPECT_EQ(child.error().subject, "/nonexistent/nsbench-command");
  EXPECT_EQ(child.error().error_number, ENOENT);
}

TEST(Spawn, CommandExitStatusIsPassedThrough) {
  auto child = spawn_command(SpawnOptions{}, {"sh", "-c", "exit 42"});
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 42);
}

TEST(Spawn, AbandonedChildIsKilledAndReaped) {
  pid_t pid = 0;
  {
    auto child = spawn_command(SpawnOptions{}, {"sleep", "100"});
    ASSERT_TRUE(child) << child.error().message();
    pid = child->pid();
  }
  EXPECT_NE(kill(pid, 0), 0) << "the child outlived its owner";
}

TEST(Spawn, ParentSetUpRunsBeforeTheChildGoesOn) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::user});
  // Only the parent may write the new user namespace's uid_map, and the child must see it done.
  options.prepare_from_parent = [](pid_t child) -> Result<> {
    std::ofstream map("/proc/" + std::to_string(child) + "/uid_map");
    map << "0 0 1\n";
    map.close();
    if (!map)
      return plain_error("write uid_map");
    return {};
  };
  auto child = spawn_in_namespaces(options, [] { return getuid() == 0 ? 0 : 1; });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

TEST(Spawn, FailedParentSetUpIsReportedAndTheChildReaped) {
  SpawnOptions options;
  pid_t seen = 0;
  options.prepare_from_parent = [&seen](pid_t child) -> Result<> {
    seen = child;
    return plain_error("parent set-up", "test");
  };
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().operation, "parent set-up");
  ASSERT_GT(seen, 0);
  EXPECT_NE(kill(seen, 0), 0) << "the child was left behind";
}

TEST(Spawn, FailedChildSetUpIsReportedAsTheError) {
  SpawnOptions options;
  options.prepare_in_child = []() -> Result<> {
    errno = EADDRNOTAVAIL;
    return system_error("bring up loopback", "net");
  };
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().operation, "bring up loopback");
  EXPECT_EQ(child.error().error_number, EADDRNOTAVAIL);
}

TEST(Unshare, NewUtsNamespaceForTheCaller) {
  NSBENCH_REQUIRE_ROOT();
  auto child = spawn_in_namespaces(SpawnOptions{}, [] {
    const ino_t before = namespace_inode("self", NamespaceType::uts);
    if (!unshare_namespaces(NamespaceSet::of({NamespaceType::uts})))
      return 2;
    return namespace_inode("self", NamespaceType::uts) != before ? 0 : 1;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

}  // namespace
}  // namespace nsbench::engine
