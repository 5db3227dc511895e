// The filters set before load: a descendants filter counts its root process, the processes it
// creates and their threads, and nothing else; a cgroup filter counts the tasks of one cgroup; a
// filter that could never match is refused.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "probes/cgroup_id.h"
#include "probes/namespace_probes.h"
#include "support.h"
#include "workload.h"

namespace nsbench::probes {
namespace {

using testing::GatedChild;
using testing::growth;
using testing::run_in_child;

TEST(DescendantsFilter, CountsTheRootItsChildrenAndThreadsButNotASibling) {
  NSBENCH_REQUIRE_ROOT();
  if (!testing::in_initial_pid_namespace())
    GTEST_SKIP() << "the descendants filter needs the initial PID namespace";
  constexpr int kRootCalls = 6;
  constexpr int kGrandchildCalls = 4;
  constexpr int kThreadCalls = 2;
  constexpr int kSiblingCalls = 20;

  GatedChild root([] {
    std::string problem = testing::setns_into_net_namespaces(kRootCalls);
    if (problem.empty()) {
      problem = run_in_child([] { return testing::setns_into_net_namespaces(kGrandchildCalls); });
    }
    if (problem.empty()) {
      std::thread thread([&problem] { problem = testing::setns_with_bad_fd(kThreadCalls); });
      thread.join();
    }
    return problem;
  });
  GatedChild sibling([] { return testing::setns_into_net_namespaces(kSiblingCalls); });
  Result<NamespaceProbes> filtered = NamespaceProbes::attach({.descendants_of = root.pid()});
  ASSERT_TRUE(filtered) << filtered.error().message();
  Result<NamespaceProbes> everything = NamespaceProbes::attach({});
  ASSERT_TRUE(everything) << everything.error().message();
  const Snapshot everything_before = everything->snapshot();

  root.release();
  sibling.release();
  ASSERT_EQ(root.wait(), "");
  ASSERT_EQ(sibling.wait(), "");

  // Exact: nothing else on the machine descends from the root.
  const testing::CountsByKey counted = testing::counts_by_key(filtered->snapshot());
  EXPECT_EQ(counted.at("setns/net/ok"), static_cast<uint64_t>(kRootCalls + kGrandchildCalls));
  EXPECT_EQ(counted.at("setns/net/error"), static_cast<uint64_t>(kThreadCalls));
  EXPECT_EQ(counted.at("unshare/net/ok"), 2u);
  // The unfiltered probes prove the sibling's calls happened.
  EXPECT_GE(growth(everything_before, everything->snapshot())["setns/net/ok"],
            static_cast<uint64_t>(kRootCalls + kGrandchildCalls + kSiblingCalls));
}

TEST(DescendantsFilter, ForgetsProcessesOnceTheyHaveExited) {
  NSBENCH_REQUIRE_ROOT();
  if (!testing::in_initial_pid_namespace())
    GTEST_SKIP() << "the descendants filter needs the initial PID namespace";
  constexpr int kChildren = 30;

  GatedChild root([] {
    for (int child = 0; child < kChildren; ++child) {
      if (std::string problem = run_in_child([] { return std::string(); }); !problem.empty())
        return problem;
    }
    return std::string();
  });
  Result<NamespaceProbes> probes = NamespaceProbes::attach({.descendants_of = root.pid()});
  ASSERT_TRUE(probes) << probes.error().message();
  EXPECT_EQ(probes->followed_processes(), 1u);

  root.release();
  ASSERT_EQ(root.wait(), "");

  EXPECT_EQ(probes->followed_processes(), 0u);
  // Every child was counted as a new task before it was forgotten.
  EXPECT_EQ(probes->snapshot().pidns_levels.count(), static_cast<uint64_t>(kChildren));
}

TEST(DescendantsFilter, RefusesAProcessThatDoesNotExist) {
  NSBENCH_REQUIRE_ROOT();
  // A child already reaped: its pid names no process (until the kernel hands it out again).
  const pid_t gone = fork();
  ASSERT_GE(gone, 0);
  if (gone == 0)
    _exit(0);
  ASSERT_EQ(waitpid(gone, nullptr, 0), gone);

  Result<NamespaceProbes> probes = NamespaceProbes::attach({.descendants_of = gone});

  ASSERT_FALSE(probes);
  EXPECT_EQ(probes.error().message(),
            "follow the descendants (process " + std::to_string(gone) + "): No such process");
}

TEST(CgroupFilter, RefusesCgroupIdZero) {
  Result<NamespaceProbes> probes = NamespaceProbes::attach({.cgroup_id = 0});

  ASSERT_FALSE(probes);
  EXPECT_EQ(probes.error().error_number, EINVAL);
}

// Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid
// systems), from /proc/self/mounts.
std::optional<std::string> cgroup2_mount_point() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device;
  std::string mount_point;
  std::string type;
  std::string rest;
  while (mounts >> device >> mount_point >> type && std::getline(mounts, rest)) {
    if (type == "cgroup2")
      return mount_point;
  }
  return std::nullopt;
}

TEST(CgroupId, IsRefusedForADirectoryOutsideCgroupV2) {
  Result<uint64_t> id = cgroup_id_of("/");

  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().operation, "read the cgroup id");
}

TEST(CgroupFilter, CountsOnlyTheTasksOfThatCgroup) {
  NSBENCH_REQUIRE_ROOT();
  constexpr int kInsideCalls = 7;
  constexpr int kOutsideCalls = 20;
  const std::optional<std::string> hierarchy = cgroup2_mount_point();
  if (!hierarchy)
    GTEST_SKIP() << "no cgroup v2 hierarchy is mounted";
  const std::filesystem::path cgroup =
      std::filesystem::path(*hierarchy) / ("nsbench-probes-test-" + std::to_string(getpid()));
  if (mkdir(cgroup.c_str(), 0755) != 0)
    GTEST_SKIP() << "cannot create a cgroup under " << *hierarchy << ": " << std::strerror(errno);
  Result<uint64_t> cgroup_id = cgroup_id_of(cgroup);
  ASSERT_TRUE(cgroup_id) << cgroup_id.error().message();

  GatedChild inside([] { return testing::setns_into_net_namespaces(kInsideCalls); });
  GatedChild outside([] { return testing::setns_into_net_namespaces(kOutsideCalls); });
  std::ofstream(cgroup / "cgroup.procs") << inside.pid() << std::endl;
  Result<NamespaceProbes> probes = NamespaceProbes::attach({.cgroup_id = *cgroup_id});

  inside.release();
  outside.release();
  const std::string inside_problem = inside.wait();
  const std::string outside_problem = outside.wait();
  const std::optional<Snapshot> snapshot =
      probes ? std::optional(probes->snapshot()) : std::nullopt;
  rmdir(cgroup.c_str());

  ASSERT_TRUE(probes) << probes.error().message();
  ASSERT_EQ(inside_problem, "");
  ASSERT_EQ(outside_problem, "");
  const testing::CountsByKey counted = testing::counts_by_key(*snapshot);
  EXPECT_EQ(counted.at("setns/net/ok"), static_cast<uint64_t>(kInsideCalls));
  EXPECT_EQ(counted.at("unshare/net/ok"), 1u);
}

}  // namespace
}  // namespace nsbench::probes
