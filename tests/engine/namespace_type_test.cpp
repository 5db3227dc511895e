#include "engine/namespace_type.h"

#include <sched.h>

#include <gtest/gtest.h>

namespace nsbench::engine {
namespace {

TEST(NamespaceType, NamesMatchTheKernelsProcFiles) {
  EXPECT_EQ(name(NamespaceType::mnt), "mnt");
  EXPECT_EQ(name(NamespaceType::cgroup), "cgroup");
  for (NamespaceType type : kAllNamespaceTypes) {
    EXPECT_EQ(namespace_type_from_name(name(type)), type);
  }
  EXPECT_FALSE(namespace_type_from_name("mount").has_value());
}

TEST(NamespaceType, CloneFlagsAreTheKernelsAndDistinct) {
  EXPECT_EQ(clone_flag(NamespaceType::net), static_cast<uint64_t>(CLONE_NEWNET));
  EXPECT_EQ(clone_flag(NamespaceType::time), 0x80u);
  uint64_t seen = 0;
  for (NamespaceType type : kAllNamespaceTypes) {
    EXPECT_EQ(seen & clone_flag(type), 0u);
    seen |= clone_flag(type);
  }
  EXPECT_EQ(NamespaceSet::all().clone_flags(), seen);
}

TEST(NamespaceSet, AddsRemovesAndPrintsInKernelOrder) {
  NamespaceSet set = NamespaceSet::of({NamespaceType::pid, NamespaceType::mnt});
  EXPECT_EQ(set.size(), 2);
  EXPECT_EQ(set.to_string(), "mnt,pid");
  set.remove(NamespaceType::mnt);
  EXPECT_FALSE(set.contains(NamespaceType::mnt));
  EXPECT_EQ(set.clone_flags(), static_cast<uint64_t>(CLONE_NEWPID));
  EXPECT_EQ(NamespaceSet().to_string(), "none");
  EXPECT_EQ(NamespaceSet::all().size(), 8);
}

}  // namespace
}  // namespace nsbench::engine
