// Writes the metrics to a file for node_exporter's textfile collector, which may read it at any
// moment: readers see either the previous file or the complete new one, never a partial write.
#pragma once

#include <string>

#include <prometheus/collectable.h>

#include "common/result.h"

namespace nsbench::exporter {

// Writes the text exposition of `collectable` to `path` through a temporary file in the same
// directory, made durable and then renamed over `path`. On failure nothing is left behind and the
// error names `path`.
Result<> write_textfile(const std::string& path, const prometheus::Collectable& collectable);

}  // namespace nsbench::exporter
