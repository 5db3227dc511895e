// User namespace ID mapping: which user and group IDs of the parent namespace a new user
// namespace's processes run as, written by the parent into /proc/PID/{setgroups,uid_map,gid_map}.
// This is the engine half of unshare's -r, -c, --map-user, --map-group, --map-users,
// --map-groups and --setgroups.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace nsbench::engine {

// COUNT consecutive IDs starting at `inside` in the new namespace are IDs starting at `outside`
// in the parent namespace: one line of uid_map or gid_map.
struct IdRange {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;

  bool operator==(const IdRange&) const = default;
};

// What /proc/PID/setgroups is set to: `deny` forbids setgroups(2) inside the namespace for good,
// `unchanged` leaves the kernel's default (allow, unless an ancestor namespace denies it).
enum class Setgroups { unchanged, allow, deny };

struct IdMapping {
  std::vector<IdRange> uids;  // empty: uid_map is not written
  std::vector<IdRange> gids;  // empty: gid_map is not written
  Setgroups setgroups = Setgroups::unchanged;

  // True when there is nothing to write at all.
  bool empty() const { return uids.empty() && gids.empty() && setgroups == Setgroups::unchanged; }
};

// Parses "INNER:OUTER:COUNT" (decimal, COUNT at least 1). The Error names the text and, in its
// hint, the part that is wrong. A range may not reach 4294967295, which is (uid_t)-1, the ID the
// kernel never maps.
Result<IdRange> parse_id_range(std::string_view text);

// Whether the kernel can take `ranges` as one map: no two ranges overlap inside, nor outside, and
// there are at most 340 of them. `map` names the file in the error ("uid_map").
Result<> check_id_ranges(const std::vector<IdRange>& ranges, std::string_view map);

// The map file's text for `ranges`: one "INSIDE OUTSIDE COUNT" line each.
std::string id_map_text(const std::vector<IdRange>& ranges);

// The caller's effective user / group ID seen as `inside` in the new namespace (count 1):
// --map-user=UID and --map-group=GID. Such a single line is the only mapping an unprivileged
// caller may write itself. These and the map_* builders read the IDs when called, and the kernel
// judges a map by the credentials of the process that writes it: call them in that process.
IdRange caller_uid_as(uint32_t inside);
IdRange caller_gid_as(uint32_t inside);

// -r: root inside is the caller's effective user and group outside. setgroups is denied because
// the kernel accepts an unprivileged gid_map write only after that; it is denied for privileged
// callers too, so that -r behaves the same whoever runs it.
IdMapping map_root_user();

// -c: the caller's effective user and group IDs are the same inside; setgroups denied as for -r.
IdMapping map_current_user();

// Writes the maps of the user namespace that `child` is the first process of, from a process of
// the parent namespace (SpawnOptions::prepare_from_parent is the place):
//   options.prepare_from_parent = [m](pid_t pid) { return write_id_maps(pid, m); };
// setgroups first (when not unchanged), then uid_map, then gid_map. A failure names the file and
// the errno, with a hint for the kernel's usual refusals.
// TODO: there is no fallback to the setuid helpers newuidmap/newgidmap, so an unprivileged caller
// can map only its own IDs; ranges from /etc/subuid and /etc/subgid fail with EPERM.
Result<> write_id_maps(pid_t child, const IdMapping& mapping);

}  // namespace nsbench::engine
