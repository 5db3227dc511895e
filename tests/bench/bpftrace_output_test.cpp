// Reading bpftrace's JSON output and placing its log2 buckets on nsbench's slots.
#include <gtest/gtest.h>

#include "bench/bpftrace_session.h"
#include "probes/snapshot.h"

namespace nsbench::bench {
namespace {

TEST(BpftraceOutput, ReadsEveryHistogramOfTheMapByKey) {
  const std::string output =
      "{\"type\": \"attached_probes\", \"data\": {\"probes\": 8}}\n"
      "\n"
      "{\"type\": \"hist\", \"data\": {\"@latency_ns\": {"
      "\"tracepoint:syscalls:sys_exit_setns,0\": [{\"min\": 1024, \"max\": 2047, \"count\": 7},"
      " {\"min\": 2048, \"max\": 4095, \"count\": 3}],"
      " \"tracepoint:syscalls:sys_exit_unshare,1\": [{\"max\": -1, \"count\": 2}]}}}\n"
      "{\"type\": \"map\", \"data\": {\"@start\": {}}}\n";

  auto histograms = parse_bpftrace_histograms(output, "@latency_ns");
  ASSERT_TRUE(histograms) << histograms.error().message();
  ASSERT_EQ(histograms->size(), 2U);
  const std::vector<BpftraceBucket>& setns = histograms->at("tracepoint:syscalls:sys_exit_setns,0");
  ASSERT_EQ(setns.size(), 2U);
  EXPECT_EQ(setns[0].min, 1024U);
  EXPECT_EQ(setns[0].max, 2047U);
  EXPECT_EQ(setns[0].count, 7U);
  EXPECT_EQ(setns[1].count, 3U);
}

TEST(BpftraceOutput, OutputWithoutTheMapIsAnError) {
  auto histograms =
      parse_bpftrace_histograms("{\"type\": \"attached_probes\"}\nnot json\n", "@latency_ns");
  ASSERT_FALSE(histograms);
  EXPECT_NE(histograms.error().message().find("@latency_ns"), std::string::npos);
}

TEST(BpftraceOutput, MedianBucketMapsOntoNsbenchSlots) {
  // [1024, 2047] holds values of nsbench's slot 11, (1024, 2048].
  EXPECT_EQ(median_slot({{{1024, 2047, 7}, {2048, 4095, 3}}}), 11);
  EXPECT_EQ(median_slot({{{1024, 2047, 3}, {2048, 4095, 7}}}), 12);
  // Histograms are taken together: 5 + 4 below 4096 against 6 above.
  EXPECT_EQ(median_slot({{{1024, 2047, 5}, {4096, 8191, 6}}, {{2048, 4095, 4}}}), 12);
  EXPECT_EQ(median_slot({}), -1);
  EXPECT_EQ(probes::slot_upper_edge_ns(11), 2048U);
}

TEST(BpftraceScript, TimesTheFourSyscallsAndFiltersByProcessWhenAsked) {
  const std::string everyone = namespace_latency_bpftrace_script();
  for (const char* syscall : {"clone", "clone3", "unshare", "setns"}) {
    EXPECT_NE(everyone.find(std::string("sys_enter_") + syscall), std::string::npos) << syscall;
    EXPECT_NE(everyone.find(std::string("sys_exit_") + syscall), std::string::npos) << syscall;
  }
  EXPECT_EQ(everyone.find("pid =="), std::string::npos);
  EXPECT_NE(namespace_latency_bpftrace_script(42).find("/pid == 42/"), std::string::npos);
}

}  // namespace
}  // namespace nsbench::bench
