#include "engine/user_namespace.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <limits>
#include <utility>

namespace nsbench::engine {

namespace {

constexpr std::array<std::string_view, 3> kFieldNames = {"INNER", "OUTER", "COUNT"};

// The kernel rejects a range whose end wraps past 32 bits, so the last mappable ID is
// 4294967294: 4294967295 is (uid_t)-1, which means "no ID" to chown() and setresuid().
constexpr uint64_t kIdLimit = std::numeric_limits<uint32_t>::max();

std::unexpected<Error> invalid_range(std::string_view text, std::string hint) {
  return plain_error("parse ID range", "\"" + std::string(text) + "\"", std::move(hint));
}

Result<uint32_t> parse_field(std::string_view field, std::string_view field_name,
                             std::string_view text) {
  auto refuse = [text](std::string hint) { return invalid_range(text, std::move(hint)); };
  if (field.empty())
    return refuse(std::string(field_name) + " is empty");

  // from_chars takes no sign and no spaces for unsigned types, so "-1" and " 1" are refused here.
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error == std::errc::result_out_of_range) {
    return refuse(std::string(field_name) + " \"" + std::string(field) + "\" exceeds " +
                  std::to_string(kIdLimit));
  }
  if (error != std::errc{} || end != field.data() + field.size()) {
    return refuse(std::string(field_name) + " \"" + std::string(field) +
                  "\" is not a decimal number");
  }
  return value;
}

// Hints for the kernel's refusals of a write to /proc/PID/{setgroups,uid_map,gid_map}.
std::string hint_for_map_file(std::string_view file, int error_number) {
  switch (error_number) {
    case EPERM:
      if (file == "setgroups") {
        return "setgroups cannot change once gid_map is written, nor become allow where a parent "
               "user namespace denies it";
      }
      if (geteuid() != 0) {
        return "without root only the caller's own effective ID may be mapped, with count 1 (and "
               "gid_map only after setgroups deny); other ranges need root or newuidmap/newgidmap";
      }
      return "each map can be written only once, and needs CAP_SETUID/CAP_SETGID in the parent "
             "user namespace";
    case EINVAL:
      return "the kernel refuses overlapping ranges (inside or outside), a zero count, IDs "
             "reaching "
             "4294967295, more than 340 lines, or a map of a page or more";
    case EACCES:
      return "the caller may not open the child's /proc files, e.g. because it changed its IDs and "
             "is no longer dumpable (prctl PR_SET_DUMPABLE)";
    case ENOENT:
    case ESRCH:
      return "the child has exited";
    default:
      return {};
  }
}

// The kernel takes a map only whole, in a single write() at offset 0; a map file, once written,
// refuses any further write. So: one open, one write, no retry.
Result<> write_map_file(pid_t child, std::string_view file, const std::string& text) {
  const std::string path = "/proc/" + std::to_string(child) + "/" + std::string(file);
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int saved = errno;
    return std::unexpected(
        Error{"open " + std::string(file), path, saved, hint_for_map_file(file, saved)});
  }

  const ssize_t written = write(fd, text.data(), text.size());
  const int saved = errno;
  close(fd);
  if (written < 0) {
    return std::unexpected(
        Error{"write " + std::string(file), path, saved, hint_for_map_file(file, saved)});
  }
  if (static_cast<size_t>(written) != text.size()) {
    return plain_error("write " + std::string(file), path,
                       "the kernel took " + std::to_string(written) + " of " +
                           std::to_string(text.size()) + " bytes");
  }
  return {};
}

}  // namespace

Result<IdRange> parse_id_range(std::string_view text) {
  auto refuse = [text](std::string hint) { return invalid_range(text, std::move(hint)); };

  std::array<std::string_view, 3> fields;
  std::string_view rest = text;
  for (size_t index = 0; index < fields.size(); ++index) {
    const size_t colon = rest.find(':');
    const bool last = index + 1 == fields.size();
    if (last != (colon == std::string_view::npos))
      return refuse("expected INNER:OUTER:COUNT, three numbers separated by colons");
    fields[index] = rest.substr(0, colon);
    if (!last)
      rest.remove_prefix(colon + 1);
  }

  std::array<uint32_t, 3> values{};
  for (size_t index = 0; index < fields.size(); ++index) {
    auto value = parse_field(fields[index], kFieldNames[index], text);
    if (!value)
      return std::unexpected(value.error());
    values[index] = *value;
  }
  const IdRange range{values[0], values[1], values[2]};

  if (range.count == 0)
    return refuse("COUNT must be at least 1");
  if (uint64_t{range.inside} + range.count > kIdLimit) {
    return refuse("INNER+COUNT goes past 4294967294, the highest ID the kernel maps");
  }
  if (uint64_t{range.outside} + range.count > kIdLimit) {
    return refuse("OUTER+COUNT goes past 4294967294, the highest ID the kernel maps");
  }
  return range;
}

std::string id_map_text(const std::vector<IdRange>& ranges) {
  std::string text;
  for (const IdRange& range : ranges) {
    text += std::to_string(range.inside) + " " + std::to_string(range.outside) + " " +
            std::to_string(range.count) + "\n";
  }
  return text;
}

IdRange caller_uid_as(uint32_t inside) {
  return IdRange{inside, static_cast<uint32_t>(geteuid()), 1};
}

IdRange caller_gid_as(uint32_t inside) {
  return IdRange{inside, static_cast<uint32_t>(getegid()), 1};
}

IdMapping map_root_user() {
  return IdMapping{{caller_uid_as(0)}, {caller_gid_as(0)}, Setgroups::deny};
}

IdMapping map_current_user() {
  return IdMapping{{caller_uid_as(static_cast<uint32_t>(geteuid()))},
                   {caller_gid_as(static_cast<uint32_t>(getegid()))},
                   Setgroups::deny};
}

Result<> check_id_ranges(const std::vector<IdRange>& ranges, std::string_view map) {
  // The kernel's limit on the lines of one map (UID_GID_MAP_MAX_EXTENTS).
  constexpr size_t kMaxRanges = 340;
  if (ranges.size() > kMaxRanges)
    return plain_error(std::string(map), "", "the kernel takes at most 340 ranges");
  const auto overlap = [](uint64_t first, uint64_t second, uint64_t first_count,
                          uint64_t second_count) {
    return first < second + second_count && second < first + first_count;
  };
  for (size_t i = 0; i < ranges.size(); ++i) {
    for (size_t j = i + 1; j < ranges.size(); ++j) {
      const IdRange& a = ranges[i];
      const IdRange& b = ranges[j];
      const bool inside = overlap(a.inside, b.inside, a.count, b.count);
      if (inside || overlap(a.outside, b.outside, a.count, b.count)) {
        const auto spelled = [](const IdRange& range) {
          return std::to_string(range.inside) + ":" + std::to_string(range.outside) + ":" +
                 std::to_string(range.count);
        };
        return plain_error(
            std::string(map), spelled(a) + " and " + spelled(b),
            std::string("the ranges overlap ") + (inside ? "inside the namespace" : "outside it"));
      }
    }
  }
  return {};
}

Result<> write_id_maps(pid_t child, const IdMapping& mapping) {
  // setgroups can be set only while gid_map is unwritten, and an unprivileged gid_map write is
  // accepted only once it says deny: otherwise the mapped group could drop supplementary groups
  // that act as negative permissions (e.g. a file mode 0705 owned by a group the user is in).
  if (mapping.setgroups != Setgroups::unchanged) {
    const std::string policy = mapping.setgroups == Setgroups::deny ? "deny\n" : "allow\n";
    if (auto written = write_map_file(child, "setgroups", policy); !written)
      return written;
  }
  if (!mapping.uids.empty()) {
    if (auto written = write_map_file(child, "uid_map", id_map_text(mapping.uids)); !written)
      return written;
  }
  if (!mapping.gids.empty()) {
    if (auto written = write_map_file(child, "gid_map", id_map_text(mapping.gids)); !written)
      return written;
  }
  return {};
}

}  // namespace nsbench::engine
