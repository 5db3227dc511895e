// The numbered entries of a /proc directory (processes in /proc, threads in /proc/PID/task), read
// with opendir(3) rather than std::filesystem: the nsbench executable carries its own C++ runtime,
// and std::filesystem would bring the runtime's whole locale machinery into it, which makes every
// start slower.
#pragma once

#include <functional>

namespace nsbench {

// Calls `visit` with each entry of `directory` whose name starts with a digit; returns false when
// the directory cannot be read.
bool for_each_numbered_entry(const char* directory,
                             const std::function<void(const char* name)>& visit);

}  // namespace nsbench
