// The pure rules shared by the BPF program and user space: latency slots, quantiles, namespace
// types decoded from flags, and the labels. No privileges needed.
#include <sched.h>
#include <signal.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "probes/namespace_latency_abi.h"
#include "probes/namespace_probes.h"
#include "probes/snapshot.h"
#include "probes/snapshot_reader.h"

namespace nsbench::probes {
namespace {

static_assert(NSB_CLONE_NEWNS == CLONE_NEWNS);
static_assert(NSB_CLONE_NEWUTS == CLONE_NEWUTS);
static_assert(NSB_CLONE_NEWIPC == CLONE_NEWIPC);
static_assert(NSB_CLONE_NEWPID == CLONE_NEWPID);
static_assert(NSB_CLONE_NEWNET == CLONE_NEWNET);
static_assert(NSB_CLONE_NEWUSER == CLONE_NEWUSER);
static_assert(NSB_CLONE_NEWCGROUP == CLONE_NEWCGROUP);
static_assert(NSB_CLONE_NEWTIME == CLONE_NEWTIME);
static_assert(NSB_CLONE_THREAD == CLONE_THREAD);
static_assert(NSB_LATENCY_SLOTS == kLatencySlots);
static_assert(NSB_MAX_NAMESPACE_LEVEL == kMaxNamespaceLevel);

TEST(SlotForNs, PutsEachEdgeInTheSlotWhoseUpperEdgeIncludesIt) {
  const std::pair<uint64_t, int> expected[] = {
      {0, 0}, {1, 0}, {2, 1}, {3, 2},     {4, 2},     {5, 3},
      {7, 3}, {8, 3}, {9, 4}, {1023, 10}, {1024, 10}, {1025, 11},
  };
  for (const auto& [ns, slot] : expected) {
    EXPECT_EQ(slot_for_ns(ns), slot) << ns << " ns";
    EXPECT_EQ(nsb_slot_for_ns(ns), static_cast<uint32_t>(slot)) << ns << " ns, BPF rule";
  }
}

TEST(SlotForNs, BpfRuleAgreesWithSnapshotRuleAroundEveryPowerOfTwo) {
  for (int power = 0; power < 64; ++power) {
    const uint64_t edge = uint64_t{1} << power;
    for (const uint64_t ns : {edge - 1, edge, edge + 1}) {
      EXPECT_EQ(nsb_slot_for_ns(ns), static_cast<uint32_t>(slot_for_ns(ns))) << ns << " ns";
    }
  }
  EXPECT_EQ(nsb_slot_for_ns(UINT64_MAX), static_cast<uint32_t>(kLatencySlots - 1));
}

TEST(SlotForNs, ClampsEverythingAboveTheLastEdgeIntoTheLastSlot) {
  EXPECT_EQ(slot_for_ns(slot_upper_edge_ns(kLatencySlots - 1)), kLatencySlots - 1);
  EXPECT_EQ(slot_for_ns(slot_upper_edge_ns(kLatencySlots - 1) + 1), kLatencySlots - 1);
  EXPECT_EQ(slot_for_ns(UINT64_MAX), kLatencySlots - 1);
}

LatencyHistogram histogram_with(std::initializer_list<std::pair<int, uint64_t>> slot_counts) {
  LatencyHistogram histogram;
  for (const auto& [slot, count] : slot_counts) {
    histogram.slots[slot] = count;
    histogram.count += count;
  }
  return histogram;
}

TEST(QuantileSeconds, InterpolatesLinearlyInsideTheSlotHoldingTheRank) {
  // One value in (512, 1024] ns: the median sits halfway through the slot.
  const LatencyHistogram single = histogram_with({{10, 1}});
  EXPECT_DOUBLE_EQ(single.quantile_seconds(0.5), 768e-9);
  EXPECT_DOUBLE_EQ(single.quantile_seconds(1.0), 1024e-9);

  // Two values in (1, 2] ns and two in (4, 8] ns.
  const LatencyHistogram split = histogram_with({{1, 2}, {3, 2}});
  EXPECT_DOUBLE_EQ(split.quantile_seconds(0.25), 1.5e-9);
  EXPECT_DOUBLE_EQ(split.quantile_seconds(0.5), 2e-9);
  EXPECT_DOUBLE_EQ(split.quantile_seconds(0.75), 6e-9);
  EXPECT_DOUBLE_EQ(split.quantile_seconds(1.0), 8e-9);
}

TEST(QuantileSeconds, SlotZeroSpansZeroToOneNanosecond) {
  EXPECT_DOUBLE_EQ(histogram_with({{0, 4}}).quantile_seconds(0.5), 0.5e-9);
}

TEST(QuantileSeconds, IsNanForAnEmptyHistogram) {
  EXPECT_TRUE(std::isnan(LatencyHistogram{}.quantile_seconds(0.5)));
}

std::string ns_type_of(uint32_t ns_type) {
  return std::string(ns_type_label(static_cast<nsb_ns_type>(ns_type)));
}

TEST(SnapshotMerged, AddsUpOnlyTheRequestedSyscallTypeAndResult) {
  Snapshot snapshot;
  auto histogram = [](const char* syscall, const char* ns_type, const char* result, int count) {
    LatencyHistogram made;
    made.syscall = syscall;
    made.ns_type = ns_type;
    made.result = result;
    made.slots[12] = static_cast<uint64_t>(count);
    made.count = static_cast<uint64_t>(count);
    return made;
  };
  snapshot.latencies = {histogram("setns", "net", "ok", 5), histogram("setns", "net", "error", 7),
                        histogram("setns", "uts", "ok", 11), histogram("unshare", "net", "ok", 13)};
  EXPECT_EQ(snapshot.merged("setns", "net", "ok").count, 5u);
  EXPECT_EQ(snapshot.merged("setns", "net").count, 12u);
  EXPECT_EQ(snapshot.merged("setns", "", "ok").count, 16u);
  EXPECT_EQ(snapshot.merged("setns").count, 23u);
  EXPECT_EQ(snapshot.merged("setns", "net", "ok").slots[12], 5u);
}

TEST(LatencyHistogramSince, LeavesTheCallsMadeBetweenTwoReadingsAndAddSumsThem) {
  LatencyHistogram earlier;
  earlier.syscall = "clone3";
  earlier.slots[10] = 3;
  earlier.count = 3;
  earlier.sum_ns = 3000;
  LatencyHistogram later = earlier;
  later.slots[10] += 2;
  later.slots[20] += 1;
  later.count += 3;
  later.sum_ns += 1'002'000;

  const LatencyHistogram between = later.since(earlier);
  EXPECT_EQ(between.syscall, "clone3");
  EXPECT_EQ(between.slots[10], 2u);
  EXPECT_EQ(between.slots[20], 1u);
  EXPECT_EQ(between.count, 3u);
  EXPECT_EQ(between.sum_ns, 1'002'000u);
  // A reading taken later than `later` (never expected) gives nothing rather than wrapping.
  EXPECT_EQ(earlier.since(later).count, 0u);
  EXPECT_EQ(earlier.since(later).slots[20], 0u);

  LatencyHistogram total = between;
  total.add(between);
  EXPECT_EQ(total.count, 6u);
  EXPECT_EQ(total.slots[20], 2u);
  EXPECT_EQ(total.sum_ns, 2'004'000u);
}

TEST(NsTypeForFlags, NamesEachNamespaceFlag) {
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWNS)), "mnt");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWUTS)), "uts");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWIPC)), "ipc");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWPID)), "pid");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWNET)), "net");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWUSER)), "user");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWCGROUP)), "cgroup");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWTIME)), "time");
}

TEST(NsTypeForFlags, IsNoneWithoutNamespaceFlagsAndMultiWithSeveral) {
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(0)), "none");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_FILES | CLONE_FS)), "none");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWNET | CLONE_NEWUTS)), "multi");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWUSER | CLONE_NEWTIME)), "multi");
}

TEST(NsTypeForCloneFlags, TreatsTheLowByteAsTheExitSignal) {
  // In clone()'s flags 0x80 is part of the exit signal, not CLONE_NEWTIME.
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_clone_flags(0x80 | SIGCHLD)), "none");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_clone_flags(CLONE_NEWPID | 0x80)), "pid");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_clone_flags(CLONE_NEWNET | SIGCHLD)), "net");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_flags(CLONE_NEWTIME)), "time");
}

TEST(HistogramIndex, GivesEveryLabelCombinationItsOwnEntry) {
  std::set<uint32_t> indices;
  for (uint32_t syscall = 0; syscall < NSB_SYSCALL_COUNT; ++syscall) {
    for (uint32_t ns_type = 0; ns_type < NSB_NS_TYPE_COUNT; ++ns_type) {
      for (uint32_t result = 0; result < NSB_RESULT_COUNT; ++result) {
        const uint32_t index = nsb_histogram_index(syscall, ns_type, result);
        EXPECT_LT(index, static_cast<uint32_t>(NSB_HISTOGRAM_COUNT));
        indices.insert(index);
      }
    }
  }
  EXPECT_EQ(indices.size(), static_cast<size_t>(NSB_HISTOGRAM_COUNT));
}

TEST(TaskLevelIndex, GivesEveryKindAndLevelItsOwnEntryAndClampsDeeperLevels) {
  std::set<uint32_t> indices;
  for (uint32_t kind = 0; kind < NSB_LEVEL_KIND_COUNT; ++kind) {
    for (uint32_t level = 0; level <= NSB_MAX_NAMESPACE_LEVEL; ++level) {
      const uint32_t index = nsb_task_level_index(kind, level);
      EXPECT_LT(index, static_cast<uint32_t>(NSB_TASK_LEVEL_COUNT));
      indices.insert(index);
    }
  }
  EXPECT_EQ(indices.size(), static_cast<size_t>(NSB_TASK_LEVEL_COUNT));
  EXPECT_EQ(nsb_task_level_index(NSB_LEVEL_USERNS, 40), nsb_task_level_index(NSB_LEVEL_USERNS, 32));
}

TEST(CloneFlagForNsType, IsTheFlagThatNamesTheType) {
  for (uint32_t ns_type = NSB_NS_MNT; ns_type <= NSB_NS_TIME; ++ns_type) {
    EXPECT_EQ(nsb_ns_type_for_flags(nsb_clone_flag_for_ns_type(ns_type)), ns_type)
        << ns_type_of(ns_type);
  }
  EXPECT_EQ(nsb_clone_flag_for_ns_type(NSB_NS_NONE), 0U);
  EXPECT_EQ(nsb_clone_flag_for_ns_type(NSB_NS_MULTI), 0U);
}

TEST(NsTypeForChanges, IsTheOneTypeThatChangedNoneOrMulti) {
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_changes(0)), "none");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_changes(1U << NSB_NS_NET)), "net");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_changes(1U << NSB_NS_TIME)), "time");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_changes(1U << NSB_NS_USER)), "user");
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_changes((1U << NSB_NS_USER) | (1U << NSB_NS_MNT))), "multi");
  // Bits outside mnt..time (none, multi) are not namespaces.
  EXPECT_EQ(ns_type_of(nsb_ns_type_for_changes(1U << NSB_NS_NONE)), "none");
}

TEST(LevelHistogram, CountsSumsAndFindsTheDeepestLevel) {
  LevelHistogram levels;
  EXPECT_EQ(levels.count(), 0U);
  EXPECT_EQ(levels.sum(), 0U);
  EXPECT_EQ(levels.max_level(), -1);

  levels.tasks[0] = 4;
  levels.tasks[2] = 3;
  levels.tasks[kMaxNamespaceLevel] = 1;
  EXPECT_EQ(levels.count(), 8U);
  EXPECT_EQ(levels.sum(), 6U + kMaxNamespaceLevel);
  EXPECT_EQ(levels.max_level(), kMaxNamespaceLevel);
}

TEST(Labels, AreTheValuesTheMetricsPromise) {
  std::set<std::string> ns_types;
  for (uint32_t ns_type = 0; ns_type < NSB_NS_TYPE_COUNT; ++ns_type) {
    ns_types.insert(ns_type_of(ns_type));
  }
  EXPECT_EQ(ns_types, (std::set<std::string>{"mnt", "uts", "ipc", "pid", "net", "user", "cgroup",
                                             "time", "multi", "none"}));
  EXPECT_EQ(syscall_label(NSB_SYSCALL_CLONE), "clone");
  EXPECT_EQ(syscall_label(NSB_SYSCALL_CLONE3), "clone3");
  EXPECT_EQ(syscall_label(NSB_SYSCALL_UNSHARE), "unshare");
  EXPECT_EQ(syscall_label(NSB_SYSCALL_SETNS), "setns");
  EXPECT_EQ(result_label(NSB_RESULT_OK), "ok");
  EXPECT_EQ(result_label(NSB_RESULT_ERROR), "error");
}

TEST(AttachModeNames, ParseBackToTheirMode) {
  for (AttachMode mode : kAttachModes)
    EXPECT_EQ(parse_attach_mode(name(mode)), mode);
  EXPECT_EQ(parse_attach_mode("kprobe"), std::nullopt);
}

}  // namespace
}  // namespace nsbench::probes
