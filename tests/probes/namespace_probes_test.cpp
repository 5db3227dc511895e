// The probes in the mode attach() picks see the namespace syscalls this test makes, with the right
// labels, and count a clone once however many tasks return from it.
#include <sched.h>
#include <unistd.h>

#include <optional>

#include <gtest/gtest.h>

#include "probes/namespace_probes.h"
#include "support.h"
#include "workload.h"

namespace nsbench::probes {
namespace {

using testing::growth;
using testing::run_in_child;

class NamespaceProbesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NSBENCH_REQUIRE_ROOT();
    Result<NamespaceProbes> attached = NamespaceProbes::attach({});
    ASSERT_TRUE(attached) << attached.error().message();
    probes_.emplace(std::move(*attached));
  }

  std::optional<NamespaceProbes> probes_;
};

TEST_F(NamespaceProbesTest, SeesEverySetnsIntoANetNamespace) {
  constexpr int kCalls = 50;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::setns_into_net_namespaces(kCalls); }), "");

  EXPECT_GE(growth(before, probes_->snapshot())["setns/net/ok"], kCalls);
}

TEST_F(NamespaceProbesTest, NamesTheTypeASetnsWithoutFlagsJoined) {
  constexpr int kCalls = 30;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::setns_into_net_namespaces_without_flags(kCalls); }),
            "");

  EXPECT_GE(growth(before, probes_->snapshot())["setns/net/ok"], kCalls);
}

TEST_F(NamespaceProbesTest, PutsASetnsWithoutFlagsThatChangesNothingInNone) {
  constexpr int kCalls = 30;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::setns_into_the_same_net_namespace(kCalls); }), "");

  EXPECT_GE(growth(before, probes_->snapshot())["setns/none/ok"], kCalls);
}

TEST_F(NamespaceProbesTest, CountsNewTasksAndTheNamespacesCreated) {
  constexpr int kCalls = 20;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::clone_children(CLONE_NEWPID, kCalls); }), "");

  const Snapshot after = probes_->snapshot();
  // Other processes of the machine may add to every figure, hence >=.
  EXPECT_GE(after.namespaces_created.at("pid") - before.namespaces_created.at("pid"),
            static_cast<uint64_t>(kCalls));
  EXPECT_GE(after.pidns_levels.tasks[1] - before.pidns_levels.tasks[1],
            static_cast<uint64_t>(kCalls));
  EXPECT_GE(after.pidns_levels.count() - before.pidns_levels.count(),
            static_cast<uint64_t>(kCalls + 1));  // the children and the workload process
}

TEST_F(NamespaceProbesTest, SeesEveryUnshareOfAUtsNamespace) {
  constexpr int kCalls = 50;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::unshare_namespaces(CLONE_NEWUTS, kCalls); }), "");

  EXPECT_GE(growth(before, probes_->snapshot())["unshare/uts/ok"], kCalls);
}

TEST_F(NamespaceProbesTest, PutsAFailingSetnsInTheErrorResult) {
  constexpr int kCalls = 20;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::setns_with_bad_fd(kCalls); }), "");

  EXPECT_GE(growth(before, probes_->snapshot())["setns/net/error"], kCalls);
}

TEST_F(NamespaceProbesTest, CountsACloneOnceNotAgainForItsChild) {
  constexpr int kCalls = 20;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] { return testing::clone_children(CLONE_NEWPID, kCalls); }), "");

  const Snapshot after = probes_->snapshot();
  const uint64_t counted = growth(before, after)["clone/pid/ok"];
  EXPECT_GE(counted, kCalls);
  // Other processes of the machine may add a few, but a child counted as a call would double it.
  EXPECT_LT(counted, 2 * kCalls);
  // Only the syscall tracepoints see the children return; fexit never does.
  if (probes_->attach_mode() != AttachMode::fentry) {
    EXPECT_GE(after.unmatched_exits - before.unmatched_exits, static_cast<uint64_t>(kCalls));
  }
}

TEST_F(NamespaceProbesTest, ReadsClone3FlagsFromCloneArgs) {
  constexpr int kCalls = 20;
  const Snapshot before = probes_->snapshot();

  ASSERT_EQ(run_in_child([] {
              std::string problem = testing::clone3_children(CLONE_NEWUTS, kCalls);
              if (problem.empty())
                problem = testing::clone3_children(CLONE_NEWTIME, kCalls);
              if (problem.empty()) {
                problem = testing::clone3_children(CLONE_NEWUTS | CLONE_NEWIPC, kCalls);
              }
              return problem;
            }),
            "");

  testing::CountsByKey grown = growth(before, probes_->snapshot());
  EXPECT_GE(grown["clone3/uts/ok"], kCalls);
  EXPECT_LT(grown["clone3/uts/ok"], 2 * kCalls);
  // 0x80 is CLONE_NEWTIME in clone3's flags (only clone() keeps a signal in the low byte).
  EXPECT_GE(grown["clone3/time/ok"], kCalls);
  EXPECT_GE(grown["clone3/multi/ok"], kCalls);
}

TEST_F(NamespaceProbesTest, KeepsEveryLatencyInsideItsSlotAndDropsNothing) {
  ASSERT_EQ(run_in_child([] { return testing::unshare_namespaces(CLONE_NEWUTS, 20); }), "");

  const Snapshot snapshot = probes_->snapshot();
  ASSERT_FALSE(snapshot.latencies.empty());
  for (const LatencyHistogram& histogram : snapshot.latencies) {
    // Each latency lies within its slot's edges, so the sum does too; a BPF side bucketing
    // differently from slot_for_ns would break these bounds.
    uint64_t slot_total = 0;
    double lowest_sum = 0;
    double highest_sum = 0;
    for (int slot = 0; slot < kLatencySlots; ++slot) {
      const double count = static_cast<double>(histogram.slots[slot]);
      slot_total += histogram.slots[slot];
      lowest_sum += count * (slot == 0 ? 0.0 : static_cast<double>(slot_upper_edge_ns(slot - 1)));
      highest_sum += count * static_cast<double>(slot_upper_edge_ns(slot));
    }
    const std::string key = histogram.syscall + "/" + histogram.ns_type + "/" + histogram.result;
    EXPECT_EQ(slot_total, histogram.count) << key;
    EXPECT_GT(histogram.count, 0U) << key;
    EXPECT_GE(static_cast<double>(histogram.sum_ns), lowest_sum) << key;
    EXPECT_LE(static_cast<double>(histogram.sum_ns), highest_sum) << key;
  }
  EXPECT_EQ(snapshot.negative_deltas, 0U);
  EXPECT_EQ(snapshot.map_update_failures, 0U);
  EXPECT_EQ(snapshot.attach_mode, name(probes_->attach_mode()));
}

TEST_F(NamespaceProbesTest, ReportsOneAttemptPerModeTriedEndingWithTheAttachedOne) {
  const std::vector<std::string> attempts = probes_->attempts();
  ASSERT_FALSE(attempts.empty());
  EXPECT_EQ(attempts.back(), std::string(name(probes_->attach_mode())) + ": attached");
  for (size_t i = 0; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i].rfind(std::string(name(kAttachModes[i])) + ": ", 0), 0U) << attempts[i];
  }
}

}  // namespace
}  // namespace nsbench::probes
