// UTS namespaces: a host name of the container's own.
#pragma once

#include <string>

#include "common/result.h"

namespace nsbench::engine {

// Sets the host name of the caller's UTS namespace (which should be a new one: in the host's
// namespace this renames the machine).
Result<> set_hostname(const std::string& name);

}  // namespace nsbench::engine
