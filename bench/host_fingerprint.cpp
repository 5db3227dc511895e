#include "bench/host_fingerprint.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string_view>

namespace nsbench::bench {

namespace {

constexpr std::string_view kUnknown = "unknown";

std::string kernel_release() {
  utsname names{};
  if (uname(&names) != 0)
    return std::string(kUnknown);
  return names.release;
}

std::string trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  const size_t last = text.find_last_not_of(" \t\n");
  return std::string(text.substr(first, last - first + 1));
}

// x86 names the CPU in "model name"; arm64 kernels have no such line, only "CPU implementer"
// and "CPU part" codes, which are better than nothing.
std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  std::string fallback;
  while (std::getline(cpuinfo, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "model name")
      return value;
    if (key == "CPU part" && fallback.empty())
      fallback = "CPU part " + value;
  }
  return fallback.empty() ? std::string(kUnknown) : fallback;
}

std::string cpu_cores() {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? std::to_string(online) : std::string(kUnknown);
}

std::string first_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return trim(line);
}

std::string mount_count() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  if (!mountinfo)
    return std::string(kUnknown);
  long count = 0;
  std::string line;
  while (std::getline(mountinfo, line))
    ++count;
  return std::to_string(count);
}

}  // namespace

std::map<std::string, std::string> host_fingerprint() {
  std::map<std::string, std::string> fingerprint = {
      {"kernel_release", kernel_release()},
      {"cpu_model", cpu_model()},
      {"cpu_cores", cpu_cores()},
      {"mount_count", mount_count()},
      {"nsbench_version", NSBENCH_VERSION},
      {"benchmark_library_version", NSBENCH_BENCHMARK_LIBRARY_VERSION},
  };

  // Virtual machines and some containers expose no cpufreq at all: leave the key out rather
  // than guess, since "unknown" would look like a governor name in a comparison.
  const std::string governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (!governor.empty())
    fingerprint["cpu_scaling_governor"] = governor;
  return fingerprint;
}

}  // namespace nsbench::bench
