// The Prometheus text exposition format (version 0.0.4) of a collectable, as served on /metrics.
#pragma once

#include <string>

#include <prometheus/collectable.h>

namespace nsbench::exporter {

std::string to_text_exposition(const prometheus::Collectable& collectable);

}  // namespace nsbench::exporter
