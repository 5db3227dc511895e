#include "engine/join.h"

#include <fcntl.h>
#include <unistd.h>

#include "engine/spawn.h"
#include "namespace_inodes.h"
#include "support.h"

namespace nsbench::engine {
namespace {

using nsbench::testing::namespace_inode;

// A process in all eight new namespaces that stays until the test ends.
class Target {
 public:
  Target() {
    if (pipe2(pipe_, O_CLOEXEC) != 0)
      return;
    const int read_end = pipe_[0];
    const int write_end = pipe_[1];
    SpawnOptions options;
    options.namespaces = NamespaceSet::all();
    process_ = spawn_in_namespaces(options, [read_end, write_end] {
      close(write_end);
      char byte;
      return static_cast<int>(read(read_end, &byte, 1));
    });
  }
  ~Target() {
    close(pipe_[1]);
    close(pipe_[0]);
    if (process_)
      (void)process_->wait();
  }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  bool started() const { return process_.has_value(); }

 private:
  int pipe_[2] = {-1, -1};
  Result<ChildProcess> process_ = plain_error("not started");
};

// Runs `join` in a forked child (joining changes the caller for good) and checks there that every
// type in `types` now has the target's inode. Returns the child's status: 0 when all matched.
int join_and_compare(pid_t target, NamespaceSet types,
                     const std::function<Result<>(pid_t, NamespaceSet)>& join) {
  auto child = spawn_in_namespaces(SpawnOptions{}, [&] {
    if (auto joined = join(target, types); !joined) {
      std::fprintf(stderr, "%s\n", joined.error().message().c_str());
      return 2;
    }
    for (NamespaceType type : kAllNamespaceTypes) {
      if (!types.contains(type))
        continue;
      // A joined PID namespace applies to children: look at pid_for_children instead.
      const std::string file = type == NamespaceType::pid    ? "pid_for_children"
                               : type == NamespaceType::time ? "time_for_children"
                                                             : std::string(name(type));
      struct stat mine {};
      struct stat theirs {};
      stat(("/proc/self/ns/" + file).c_str(), &mine);
      stat(("/proc/" + std::to_string(target) + "/ns/" + std::string(name(type))).c_str(), &theirs);
      if (mine.st_ino != theirs.st_ino)
        return 1;
    }
    return 0;
  });
  if (!child)
    return -1;
  return child->wait().value_or(-1);
}

TEST(Join, EachTypeAloneThroughAPidfdGivesTheTargetsNamespace) {
  NSBENCH_REQUIRE_ROOT();
  Target target;
  ASSERT_TRUE(target.started());
  for (NamespaceType type : kAllNamespaceTypes) {
    EXPECT_EQ(join_and_compare(target.pid(), NamespaceSet::of({type}), join_namespaces), 0)
        << name(type);
  }
}

TEST(Join, AllTypesAtOnceThroughAPidfd) {
  NSBENCH_REQUIRE_ROOT();
  Target target;
  ASSERT_TRUE(target.started());
  EXPECT_EQ(join_and_compare(target.pid(), NamespaceSet::all(), join_namespaces), 0);
}

TEST(Join, AllTypesOneFileAtATime) {
  NSBENCH_REQUIRE_ROOT();
  Target target;
  ASSERT_TRUE(target.started());
  EXPECT_EQ(join_and_compare(target.pid(), NamespaceSet::all(), join_namespaces_by_path), 0);
  for (NamespaceType type : kAllNamespaceTypes) {
    EXPECT_EQ(join_and_compare(target.pid(), NamespaceSet::of({type}), join_namespaces_by_path), 0)
        << name(type);
  }
}

TEST(Join, ByNamespaceFile) {
  NSBENCH_REQUIRE_ROOT();
  Target target;
  ASSERT_TRUE(target.started());
  const std::string path = "/proc/" + std::to_string(target.pid()) + "/ns/net";
  auto by_file = [&](pid_t, NamespaceSet) { return join_namespace_file(path, NamespaceType::net); };
  EXPECT_EQ(join_and_compare(target.pid(), NamespaceSet::of({NamespaceType::net}), by_file), 0);
}

TEST(Join, ExitedTargetFailsWithESRCHAndChangesNothing) {
  auto exited = spawn_in_namespaces(SpawnOptions{}, [] { return 0; });
  ASSERT_TRUE(exited);
  const pid_t pid = exited->pid();
  ASSERT_TRUE(exited->wait());

  const ino_t before = namespace_inode("self", NamespaceType::net);
  auto joined = join_namespaces(pid, NamespaceSet::of({NamespaceType::net}));
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error().error_number, ESRCH);
  EXPECT_NE(joined.error().message().find("exited"), std::string::npos);
  EXPECT_EQ(namespace_inode("self", NamespaceType::net), before);
}

TEST(Join, MissingNamespaceFileNamesThePath) {
  auto joined = join_namespace_file("/nonexistent/ns/net", NamespaceType::net);
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error().subject, "/nonexistent/ns/net");
  EXPECT_EQ(joined.error().error_number, ENOENT);
}

}  // namespace
}  // namespace nsbench::engine
