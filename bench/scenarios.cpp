#include "bench/scenarios.h"

#include <string_view>

#include "bench/engine_overhead.h"
#include "bench/tool_comparison.h"
#include "engine/namespace_type.h"

namespace nsbench::bench {

namespace {

using engine::NamespaceSet;
using engine::NamespaceType;

struct IterationCounts {
  int64_t quick;
  int64_t full;
};

// Creating a network namespace sets up loopback and per-namespace tables and is an order of
// magnitude slower than the other types; a user namespace is cheap.
IterationCounts create_iterations(NamespaceType type) {
  switch (type) {
    case NamespaceType::net:
      return {20, 200};
    default:
      return {40, 500};
  }
}

std::vector<Scenario> build_catalogue() {
  std::vector<Scenario> scenarios;
  scenarios.push_back({"baseline/fork_exit", "clone3", "none", 40, 500,
                       [] { return spawn_and_wait(NamespaceSet{}); }});

  for (NamespaceType type : engine::kAllNamespaceTypes) {
    const IterationCounts counts = create_iterations(type);
    scenarios.push_back({"create/" + std::string(name(type)), "clone3", std::string(name(type)),
                         counts.quick, counts.full,
                         [type] { return spawn_and_wait(NamespaceSet::of({type})); }});
  }

  for (NamespaceType type : engine::kAllNamespaceTypes) {
    scenarios.push_back({"setns/" + std::string(name(type)), "setns", std::string(name(type)), 40,
                         500, [type] { return join_namespace_of_target(type); }});
  }

  scenarios.push_back({"pidns/unshare_fork", "unshare", "pid", 40, 500, unshare_pid_and_fork});
  scenarios.push_back({"full_start", "clone3", "multi", 20, 80, full_container_start});

  // The engine against the bare syscalls it wraps: same flags, same iteration counts, and the
  // runner interleaves their repetitions, so that both see the same state of the machine. With a
  // network namespace among the flags, the counts are those of create/net.
  const NamespaceSet overhead_namespaces = engine_overhead_namespaces();
  scenarios.push_back({"engine/spawn_vs_bare/engine", "clone3", "multi", 20, 200,
                       [overhead_namespaces] { return spawn_and_wait(overhead_namespaces); }});
  scenarios.push_back(
      {"engine/spawn_vs_bare/bare", "clone3", "multi", 20, 200,
       [overhead_namespaces] { return bare_clone3_and_wait(overhead_namespaces); }});

  // Whole tools, each exec'ed per iteration: a few milliseconds each, hence fewer iterations.
  // The labels name the syscall each tool creates its namespaces with.
  scenarios.push_back({"tools/nsbench_unshare", "clone3", "multi", 10, 60, nsbench_unshare_true});
  scenarios.push_back(
      {"tools/util_linux_unshare", "unshare", "multi", 10, 60, util_linux_unshare_true});
  scenarios.push_back({"tools/bubblewrap", "clone", "multi", 10, 60, bubblewrap_true});
  return scenarios;
}

}  // namespace

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> scenarios = build_catalogue();
  return scenarios;
}

}  // namespace nsbench::bench
