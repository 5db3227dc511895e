// `run` and `trace` need libbpf, prometheus-cpp (and through it libcurl and its TLS stack) and
// Google Benchmark: some 40 shared libraries whose loading alone costs milliseconds. They live in
// a module that the nsbench binary loads only when one of them is asked for, so that `unshare`,
// `enter` and `init` start as fast as util-linux's tools.
#pragma once

#include <cstddef>
#include <vector>

#include "cli/subcommand.h"

namespace nsbench::cli {

inline constexpr const char* kTelemetryModuleName = "nsbench-telemetry.so";
inline constexpr const char* kTelemetryEntryPoint = "nsbench_telemetry_subcommands";
inline constexpr const char* kRunDescription =
    "Attach the probes, run every benchmark scenario and report";
inline constexpr const char* kTraceDescription =
    "Show live histograms of every namespace syscall on this machine";
inline constexpr const char* kOverheadDescription =
    "Measure what the probes, and bpftrace doing the same, add to each syscall";

// The subcommands the module provides, for the binary to know when to load it.
inline constexpr const char* kTelemetrySubcommandNames[] = {"run", "trace", "overhead"};

// The module's entry point: fills `out` with its subcommands (run, trace, overhead).
using TelemetryEntryPoint = void (*)(std::vector<Subcommand>* out);

// run, trace and overhead: loaded from the module when `load` is true; otherwise stand-ins with the
// same names and descriptions (for --help), which load the module if they are ever run.
std::vector<Subcommand> telemetry_subcommands(bool load);

}  // namespace nsbench::cli
