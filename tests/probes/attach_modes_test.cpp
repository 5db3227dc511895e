// Every attach mode this kernel allows gives the same histograms for the same workload; a mode
// it refuses is an Error, not a crash; and nothing of the probes outlives their owner.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "probes/namespace_probes.h"
#include "support.h"
#include "workload.h"

namespace nsbench::probes {
namespace {

using testing::growth;
using testing::run_in_child;

// The modes this kernel loads, each attached once; the others with the reason they failed.
struct ModeSurvey {
  std::vector<NamespaceProbes> attached;
  std::vector<std::string> refused;
};

ModeSurvey survey_modes() {
  ModeSurvey survey;
  for (AttachMode mode : kAttachModes) {
    Result<NamespaceProbes> probes = NamespaceProbes::attach({.force_mode = mode});
    if (probes) {
      survey.attached.push_back(std::move(*probes));
    } else {
      survey.refused.push_back(std::string(name(mode)) + ": " + probes.error().message());
    }
  }
  return survey;
}

// Ids of the kernel objects `bpftool <object> show` lists, one per line as "<id>: <type> ...".
std::set<uint32_t> bpftool_ids(const std::string& object) {
  std::set<uint32_t> ids;
  const std::string command = std::string(NSBENCH_BPFTOOL) + " " + object + " show";
  FILE* output = popen(command.c_str(), "r");
  if (output == nullptr)
    return ids;
  char line[1024];
  while (std::fgets(line, sizeof(line), output) != nullptr) {
    unsigned id = 0;
    char colon = 0;
    if (std::sscanf(line, "%u%c", &id, &colon) == 2 && colon == ':')
      ids.insert(id);
  }
  pclose(output);
  return ids;
}

// Ids among `ids` that bpftool still lists after waiting up to two seconds: the kernel frees
// raw-tracepoint links, and the programs they hold, only after an RCU grace period.
std::vector<uint32_t> still_listed(const std::string& object, const std::vector<uint32_t>& ids) {
  std::vector<uint32_t> listed;
  for (int poll = 0; poll < 40; ++poll) {
    const std::set<uint32_t> current = bpftool_ids(object);
    listed.clear();
    for (uint32_t id : ids) {
      if (current.contains(id))
        listed.push_back(id);
    }
    if (listed.empty())
      break;
    usleep(50'000);
  }
  return listed;
}

TEST(AttachModes, ForcedFentryAttachesOrFailsWithOneLine) {
  NSBENCH_REQUIRE_ROOT();

  Result<NamespaceProbes> probes = NamespaceProbes::attach({.force_mode = AttachMode::fentry});

  if (probes) {
    EXPECT_EQ(probes->attach_mode(), AttachMode::fentry);
    return;
  }
  // The development machine refuses fentry with EPERM even to root.
  const std::string message = probes.error().message();
  EXPECT_NE(message.find("fentry"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(probes.error().error_number, 0);
}

TEST(AttachModes, EveryLoadableModeSeesTheSameKeysForTheSameWorkload) {
  NSBENCH_REQUIRE_ROOT();
  constexpr int kCalls = 30;
  // One key per syscall, each label distinct from the other tests' so that a parallel run of
  // them cannot make up a missing count.
  const std::set<std::string> expected = {"setns/net/ok", "setns/net/error", "unshare/uts/ok",
                                          "clone/ipc/ok", "clone3/cgroup/ok"};

  ModeSurvey survey = survey_modes();
  ASSERT_FALSE(survey.attached.empty()) << "no attach mode loads on this kernel";
  for (const std::string& refused : survey.refused)
    std::printf("refused: %s\n", refused.c_str());

  // All loadable modes watch the same single run of the workload.
  std::vector<Snapshot> before;
  for (const NamespaceProbes& probes : survey.attached)
    before.push_back(probes.snapshot());
  ASSERT_EQ(run_in_child([] {
              std::string problem = testing::setns_into_net_namespaces(kCalls);
              if (problem.empty())
                problem = testing::setns_with_bad_fd(kCalls);
              if (problem.empty())
                problem = testing::unshare_namespaces(CLONE_NEWUTS, kCalls);
              if (problem.empty())
                problem = testing::clone_children(CLONE_NEWIPC, kCalls);
              if (problem.empty())
                problem = testing::clone3_children(CLONE_NEWCGROUP, kCalls);
              return problem;
            }),
            "");

  for (size_t i = 0; i < survey.attached.size(); ++i) {
    const std::string mode(name(survey.attached[i].attach_mode()));
    const testing::CountsByKey grown = growth(before[i], survey.attached[i].snapshot());
    std::set<std::string> seen;
    for (const std::string& key : expected) {
      const auto found = grown.find(key);
      if (found != grown.end() && found->second >= kCalls)
        seen.insert(key);
    }
    EXPECT_EQ(seen, expected) << "attach mode " << mode;
  }
}

TEST(AttachModes, EveryLoadableModeCountsTheSameTasksAndNamespacesOfAFollowedProcess) {
  NSBENCH_REQUIRE_ROOT();
  if (!testing::in_initial_pid_namespace())
    GTEST_SKIP() << "the descendants filter needs the initial PID namespace";
  constexpr int kJoins = 6;
  constexpr int kRejoins = 4;
  constexpr int kUnshares = 5;
  constexpr int kLevels = 3;
  constexpr int kClones = 2;

  testing::GatedChild root([] {
    std::string problem = testing::setns_into_net_namespaces_without_flags(kJoins);
    if (problem.empty())
      problem = testing::setns_into_the_same_net_namespace(kRejoins);
    if (problem.empty())
      problem = testing::unshare_namespaces(CLONE_NEWUTS, kUnshares);
    if (problem.empty())
      problem = testing::clone_children(CLONE_NEWPID | CLONE_NEWUSER, kClones);
    if (problem.empty())
      problem = testing::nest_namespaces_and_fork(kLevels, kLevels);
    return problem;
  });
  // Each mode twice: calls kept in task storage, and in the hash map of kernels without it.
  std::vector<NamespaceProbes> attached;
  std::vector<std::string> labels;
  for (AttachMode mode : kAttachModes) {
    for (bool hash_map : {false, true}) {
      Result<NamespaceProbes> probes = NamespaceProbes::attach(
          {.force_mode = mode, .descendants_of = root.pid(), .calls_in_hash_map = hash_map});
      if (!probes)
        continue;
      attached.push_back(std::move(*probes));
      labels.push_back(std::string(name(mode)) + (hash_map ? " with a hash map" : ""));
    }
  }
  const auto with_hash_map = std::ranges::count_if(
      labels, [](const std::string& label) { return label.ends_with("with a hash map"); });
  EXPECT_EQ(2 * with_hash_map, static_cast<long>(labels.size())) << "a mode loads only one way";
  ASSERT_FALSE(attached.empty()) << "no attach mode loads on this kernel";
  root.release();
  ASSERT_EQ(root.wait(), "");

  // Exact figures: only the followed process and its children are counted.
  const testing::CountsByKey expected_calls = {
      {"setns/net/ok", kJoins},      {"setns/none/ok", kRejoins},  {"unshare/net/ok", 1},
      {"unshare/uts/ok", kUnshares}, {"unshare/user/ok", kLevels}, {"unshare/pid/ok", kLevels},
      {"clone/multi/ok", kClones}};
  const std::map<std::string, uint64_t> expected_created = {
      {"mnt", 0}, {"uts", kUnshares},          {"ipc", 0},    {"pid", kLevels + kClones},
      {"net", 1}, {"user", kLevels + kClones}, {"cgroup", 0}, {"time", 0}};
  LevelHistogram pid_levels;
  LevelHistogram user_levels;
  // The clone children one level down in both; then nest_namespaces_and_fork's tasks.
  pid_levels.tasks = {kLevels, 1 + kClones, 1, 1};
  user_levels.tasks = {0, 1 + kClones, 1, 1 + kLevels};
  for (size_t i = 0; i < attached.size(); ++i) {
    const std::string& mode = labels[i];
    const Snapshot seen = attached[i].snapshot();
    testing::CountsByKey calls = testing::counts_by_key(seen);
    // fork() is a clone too: only the explicit clones are of interest.
    std::erase_if(calls, [](const auto& entry) { return entry.first == "clone/none/ok"; });
    EXPECT_EQ(calls, expected_calls) << "attach mode " << mode;
    EXPECT_EQ(seen.namespaces_created, expected_created) << "attach mode " << mode;
    EXPECT_EQ(seen.pidns_levels.tasks, pid_levels.tasks) << "attach mode " << mode;
    EXPECT_EQ(seen.userns_levels.tasks, user_levels.tasks) << "attach mode " << mode;
  }
}

TEST(AttachModes, DestroyingTheProbesLeavesNoProgramsOrLinks) {
  NSBENCH_REQUIRE_ROOT();

  ModeSurvey survey = survey_modes();
  ASSERT_FALSE(survey.attached.empty());
  std::vector<uint32_t> programs;
  std::vector<uint32_t> links;
  for (const NamespaceProbes& probes : survey.attached) {
    for (uint32_t id : probes.program_ids())
      programs.push_back(id);
    for (uint32_t id : probes.link_ids())
      links.push_back(id);
  }

  ASSERT_FALSE(programs.empty());
  ASSERT_FALSE(links.empty());

  // bpftool must see them while attached, or its silence afterwards would prove nothing.
  const std::set<uint32_t> loaded_programs = bpftool_ids("prog");
  const std::set<uint32_t> loaded_links = bpftool_ids("link");
  for (uint32_t id : programs)
    EXPECT_TRUE(loaded_programs.contains(id)) << "program " << id;
  for (uint32_t id : links)
    EXPECT_TRUE(loaded_links.contains(id)) << "link " << id;

  // A move must hand over ownership, not duplicate or drop it.
  std::optional<NamespaceProbes> moved(std::move(survey.attached.front()));
  survey.attached.clear();
  moved.reset();

  EXPECT_EQ(still_listed("link", links), std::vector<uint32_t>{});
  EXPECT_EQ(still_listed("prog", programs), std::vector<uint32_t>{});
}

TEST(AttachModes, WithoutPrivilegesAttachSaysWhatIsMissingInOneLine) {
  NSBENCH_REQUIRE_ROOT();  // to become someone without privileges

  std::string message;
  const std::string problem = run_in_child([] {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
      return std::string("could not drop to the nobody user");
    }
    Result<NamespaceProbes> probes = NamespaceProbes::attach({});
    if (probes)
      return std::string("attached without privileges");
    // Reported through the child's failure text, which is all run_in_child carries back.
    return "error: " + probes.error().message();
  });
  message = problem;

  EXPECT_EQ(message,
            "error: eBPF probes unavailable: Operation not permitted; loading needs CAP_BPF and "
            "CAP_PERFMON (run as root)");
}

}  // namespace
}  // namespace nsbench::probes
