// What a reader of a results file needs to know about the machine before comparing two runs:
// kernel, CPU, cores, frequency governor and the mount count (a new mount namespace copies every
// mount, so its creation cost grows with that count).
#pragma once

#include <map>
#include <string>

namespace nsbench::bench {

// Keys: kernel_release, cpu_model, cpu_cores, cpu_scaling_governor (only when cpufreq exposes
// one), mount_count, nsbench_version, benchmark_library_version. A value that cannot be read is
// "unknown". The keys do not collide with those Google Benchmark writes into its own context.
std::map<std::string, std::string> host_fingerprint();

}  // namespace nsbench::bench
