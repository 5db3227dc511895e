// Binding namespace files changes the host's mount table, so these tests run alone (SERIAL):
// other tests compare that table before and after their own work.
#include "engine/namespace_files.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "engine/spawn.h"
#include "namespace_inodes.h"
#include "support.h"

namespace nsbench::engine {
namespace {

using nsbench::testing::namespace_inode;

class NamespaceFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nsbench-nsfiles-XXXXXX";
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

ino_t inode_of(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

TEST_F(NamespaceFiles, BoundFileKeepsTheNamespaceAfterItsProcessExits) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::net, NamespaceType::uts});
  const std::vector<NamespaceFile> files = {{NamespaceType::net, path("net")},
                                            {NamespaceType::uts, path("uts")}};
  ino_t net_inode = 0;
  options.prepare_from_parent = [&](pid_t child) {
    net_inode = namespace_inode(child, NamespaceType::net);
    return bind_namespace_files(child, NamespaceOf::process, files);
  };
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_TRUE(child) << child.error().message();
  ASSERT_EQ(child->wait().value_or(-1), 0);

  // The process is gone; the file still names its network namespace, which can be joined.
  EXPECT_EQ(inode_of(path("net")), net_inode);
  auto joiner = spawn_in_namespaces({}, [&] {
    const int fd = open(path("net").c_str(), O_RDONLY | O_CLOEXEC);
    return setns(fd, CLONE_NEWNET) == 0 && namespace_inode("self", NamespaceType::net) == net_inode
               ? 0
               : 1;
  });
  ASSERT_TRUE(joiner);
  EXPECT_EQ(joiner->wait().value_or(-1), 0);
}

TEST_F(NamespaceFiles, AFailureUndoesTheBindsAlreadyMadeAndTheFilesCreated) {
  NSBENCH_REQUIRE_ROOT();
  const std::vector<NamespaceFile> files = {{NamespaceType::net, path("net")},
                                            {NamespaceType::uts, path("missing/uts")}};
  auto bound = bind_namespace_files(getpid(), NamespaceOf::process, files);
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error().subject, path("missing/uts"));
  EXPECT_EQ(bound.error().error_number, ENOENT);
  EXPECT_FALSE(std::filesystem::exists(path("net"))) << "a created file was left behind";
}

TEST_F(NamespaceFiles, UnsharedPidNamespaceWithoutAProcessCannotBeKeptAndSaysWhy) {
  NSBENCH_REQUIRE_ROOT();
  // After unshare(CLONE_NEWPID) the new namespace is the caller's children's, and the kernel shows
  // it (pid_for_children) only once the first child exists: the same refusal as util-linux's.
  auto child = spawn_in_namespaces({}, [&] {
    if (!unshare_namespaces(NamespaceSet::of({NamespaceType::pid})))
      return 2;
    auto kept =
        bind_namespace_files(getpid(), NamespaceOf::children, {{NamespaceType::pid, path("pid")}});
    if (kept)
      return 3;
    const bool explained = kept.error().error_number == ENOENT &&
                           kept.error().hint.find("--fork") != std::string::npos;
    return explained && !std::filesystem::exists(path("pid")) ? 0 : 1;
  });
  ASSERT_TRUE(child);
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

TEST_F(NamespaceFiles, TimeNamespaceForChildrenCanBeKept) {
  NSBENCH_REQUIRE_ROOT();
  auto child = spawn_in_namespaces({}, [&] {
    if (!unshare_namespaces(NamespaceSet::of({NamespaceType::time})))
      return 2;
    auto kept = bind_namespace_files(getpid(), NamespaceOf::children,
                                     {{NamespaceType::time, path("time")}});
    if (!kept)
      return 3;
    return inode_of(path("time")) == inode_of("/proc/self/ns/time_for_children") ? 0 : 1;
  });
  ASSERT_TRUE(child);
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

}  // namespace
}  // namespace nsbench::engine
