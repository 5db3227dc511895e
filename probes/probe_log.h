// One front door for the probes' diagnostics, libbpf's own printing included: silent unless
// verbose, so that a run without -v leaves stderr free of libbpf's messages.
#pragma once

#include <string_view>

namespace nsbench::probes {

// Routes libbpf's printing through this logger (once per process) and sets whether debug lines,
// ours and libbpf's, reach stderr. Process-wide: libbpf has a single print callback.
void set_probe_logging(bool verbose);

// Writes `line` to stderr, prefixed with "nsbench probes: ", when verbose; otherwise nothing.
void log_probe_debug(std::string_view line);

}  // namespace nsbench::probes
