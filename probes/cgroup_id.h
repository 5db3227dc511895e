// The id the kernel gives a cgroup v2 directory, which is what ProbeOptions::cgroup_id filters on
// (the BPF side compares it with bpf_get_current_cgroup_id()).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace nsbench::probes {

// The id of the cgroup at `directory`, a directory of the cgroup v2 hierarchy such as
// "/sys/fs/cgroup/system.slice". A cgroup v1 directory has an id too, but the probes never see it.
Result<uint64_t> cgroup_id_of(const std::string& directory);

}  // namespace nsbench::probes
