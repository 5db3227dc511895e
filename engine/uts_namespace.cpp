#include "engine/uts_namespace.h"

#include <unistd.h>

namespace nsbench::engine {

Result<> set_hostname(const std::string& name) {
  if (sethostname(name.c_str(), name.size()) < 0) {
    return system_error("set host name", name,
                        errno == EINVAL ? "a host name has at most 64 characters" : "");
  }
  return {};
}

}  // namespace nsbench::engine
