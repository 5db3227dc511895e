// run, trace and overhead need libbpf, prometheus-cpp (and through it libcurl and its TLS stack)
// and Google Benchmark: some 40 shared libraries whose loading alone costs milliseconds. They are a
// separate executable, nsbench-telemetry, that `nsbench` executes only when one of them is asked
// for, so that `unshare`, `enter` and `init` start as fast as util-linux's tools. Nothing but the
// command line crosses between the two, so the nsbench executable can carry its own C++ runtime.
#pragma once

#include <string>
#include <vector>

namespace nsbench::cli {

inline constexpr const char* kTelemetryExecutableName = "nsbench-telemetry";
// How nsbench tells nsbench-telemetry where it is, so that benchmarks can start it.
inline constexpr const char* kNsbenchExecutableVariable = "NSBENCH_EXECUTABLE";

inline constexpr const char* kRunDescription =
    "Attach the probes, run every benchmark scenario and report";
inline constexpr const char* kTraceDescription =
    "Show live histograms of every namespace syscall on this machine";
inline constexpr const char* kOverheadDescription =
    "Measure what the probes, and bpftrace doing the same, add to each syscall";

bool is_telemetry_subcommand(const std::string& word);

// Replaces nsbench with nsbench-telemetry, passing `arguments` on; returns only on failure, after
// saying why, with the exit code.
int execute_telemetry(const std::vector<std::string>& arguments);

}  // namespace nsbench::cli
