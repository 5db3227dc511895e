#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "engine/spawn.h"
#include "support.h"

namespace nsbench::engine {
namespace {

double monotonic_seconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

std::string own_offsets() {
  std::ifstream in("/proc/self/timens_offsets");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(TimeNamespace, OffsetsShowInTheChildAndNoneInTheParent) {
  NSBENCH_REQUIRE_ROOT();
  const std::string parent_offsets = own_offsets();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::time});
  options.clock_offsets = {86400, 3600};
  const double parent_clock = monotonic_seconds();
  auto child = spawn_in_namespaces(options, [parent_clock] {
    const bool shifted = monotonic_seconds() - parent_clock > 86000;
    const std::string offsets = own_offsets();
    const bool listed =
        offsets.find("86400") != std::string::npos && offsets.find("3600") != std::string::npos;
    return shifted && listed ? 0 : 1;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
  EXPECT_EQ(own_offsets(), parent_offsets);
  EXPECT_LT(monotonic_seconds() - parent_clock, 3600);
}

TEST(TimeNamespace, OffsetsWorkThroughTheCloneFallbackToo) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.allow_clone3 = false;
  options.namespaces = NamespaceSet::of({NamespaceType::time});
  options.clock_offsets = {1000, 0};
  const double parent_clock = monotonic_seconds();
  auto child = spawn_in_namespaces(
      options, [parent_clock] { return monotonic_seconds() - parent_clock > 900 ? 0 : 1; });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
}

TEST(TimeNamespace, OffsetsWithoutATimeNamespaceAreRefused) {
  SpawnOptions options;
  options.clock_offsets = {10, 0};
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("time namespace"), std::string::npos);
}

TEST(TimeNamespace, OutOfRangeOffsetNamesTheFileAndTheLimit) {
  NSBENCH_REQUIRE_ROOT();
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::time});
  options.clock_offsets = {-999999999, 0};
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().error_number, ERANGE);
  EXPECT_NE(child.error().message().find("timens_offsets"), std::string::npos);
}

TEST(UtsNamespace, HostnameIsSetInsideOnly) {
  NSBENCH_REQUIRE_ROOT();
  char before[256] = {};
  gethostname(before, sizeof before - 1);
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::uts});
  options.hostname = "nsbench-test-box";
  auto child = spawn_in_namespaces(options, [] {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return std::string(name) == "nsbench-test-box" ? 0 : 1;
  });
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(child->wait().value_or(-1), 0);
  char after[256] = {};
  gethostname(after, sizeof after - 1);
  EXPECT_STREQ(before, after);
}

TEST(UtsNamespace, HostnameWithoutAUtsNamespaceIsRefused) {
  SpawnOptions options;
  options.hostname = "renamed-host";
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("UTS namespace"), std::string::npos);
}

}  // namespace
}  // namespace nsbench::engine
