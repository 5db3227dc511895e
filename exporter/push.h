// Pushes the metrics to a Prometheus Pushgateway, for runs too short to be scraped.
#pragma once

#include <string>

#include <prometheus/collectable.h>

#include "common/result.h"

namespace nsbench::exporter {

// Replaces every metric of `job` on the gateway at `url` ("http://HOST[:PORT]", port 9091 when
// omitted) with the current metrics of `collectable` (HTTP PUT, so series of an earlier run that
// are gone now do not linger). The job name may hold letters, digits, '_', '-' and '.'.
// Whether `url` is a gateway address push_to_gateway() accepts (http[s]://HOST[:PORT]), so that
// a mistake is reported before the work whose metrics would be pushed.
Result<> check_gateway_url(const std::string& url);

// Whether `job` can name the job of a push: letters, digits, '_', '-' and '.' only, since it
// goes into the URL unescaped.
Result<> check_job_name(const std::string& job);

Result<> push_to_gateway(const std::string& url, const std::string& job,
                         const prometheus::Collectable& collectable);

}  // namespace nsbench::exporter
