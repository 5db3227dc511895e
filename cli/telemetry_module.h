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

// The module's entry point: fills `out` with its subcommands (run, trace).
using TelemetryEntryPoint = void (*)(std::vector<Subcommand>* out);

// run and trace: loaded from the module when `load` is true; otherwise stand-ins with the same
// names and descriptions (for --help), which load the module if they are ever run.
std::vector<Subcommand> telemetry_subcommands(bool load);

}  // namespace nsbench::cli
