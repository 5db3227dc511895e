#include "probes/probe_log.h"

#include <bpf/libbpf.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace nsbench::probes {
namespace {

std::atomic<bool> verbose_logging{false};

int print_libbpf_message(enum libbpf_print_level /*level*/, const char* format, va_list args) {
  if (!verbose_logging.load(std::memory_order_relaxed))
    return 0;
  return std::vfprintf(stderr, format, args);
}

}  // namespace

void set_probe_logging(bool verbose) {
  verbose_logging.store(verbose, std::memory_order_relaxed);

  static std::once_flag installed;
  std::call_once(installed, [] { libbpf_set_print(print_libbpf_message); });
}

void log_probe_debug(std::string_view line) {
  if (!verbose_logging.load(std::memory_order_relaxed))
    return;
  std::fprintf(stderr, "nsbench probes: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace nsbench::probes
