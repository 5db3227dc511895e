#include "engine/user_namespace.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "engine/spawn.h"
#include "support.h"

namespace nsbench::engine {
namespace {

constexpr uint32_t kNobody = 65534;

std::string read_all(int fd) {
  std::string text;
  char buffer[512];
  ssize_t got;
  while ((got = read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<size_t>(got));
  return text;
}

// The kernel pads the columns of uid_map and gid_map; this gives "0 1000 1; 1 100000 65536".
std::string normalized_map(const std::string& path) {
  std::ifstream in(path);
  std::string joined;
  uint64_t inside, outside, count;
  while (in >> inside >> outside >> count) {
    if (!joined.empty())
      joined += "; ";
    joined += std::to_string(inside) + " " + std::to_string(outside) + " " + std::to_string(count);
  }
  return joined;
}

std::string expected_map(const std::vector<IdRange>& ranges) {
  std::string joined;
  for (const IdRange& range : ranges) {
    if (!joined.empty())
      joined += "; ";
    joined += std::to_string(range.inside) + " " + std::to_string(range.outside) + " " +
              std::to_string(range.count);
  }
  return joined;
}

// What a process sees of its own user namespace, as "key=value" lines.
std::string describe_own_user_namespace() {
  std::ifstream setgroups("/proc/self/setgroups");
  std::string policy;
  setgroups >> policy;
  return "uid=" + std::to_string(getuid()) + "\ngid=" + std::to_string(getgid()) +
         "\nuid_map=" + normalized_map("/proc/self/uid_map") +
         "\ngid_map=" + normalized_map("/proc/self/gid_map") + "\nsetgroups=" + policy + "\n";
}

std::map<std::string, std::string> parse_lines(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos)
      values[line.substr(0, equals)] += line.substr(equals + 1);
  }
  return values;
}

// Spawns a child in a new user namespace whose maps the parent writes from `mapping`, and returns
// the child's view of itself as "key=value" lines, or an "error=" line. Plain text, so that it
// can also come back from a forked test process (see run_as_nobody).
std::string observe_user_namespace(const IdMapping& mapping) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    return "error=pipe2\n";
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::user});
  options.prepare_from_parent = [&mapping](pid_t child) { return write_id_maps(child, mapping); };
  const int write_end = pipe_fds[1];
  auto child = spawn_in_namespaces(options, [write_end] {
    const std::string seen = describe_own_user_namespace();
    return write(write_end, seen.data(), seen.size()) == static_cast<ssize_t>(seen.size()) ? 0 : 1;
  });
  close(pipe_fds[1]);

  std::string text = child ? read_all(pipe_fds[0]) : "error=" + child.error().message() + "\n";
  close(pipe_fds[0]);
  if (child) {
    const int status = child->wait().value_or(-1);
    if (status != 0)
      text += "error=the child exited with " + std::to_string(status) + "\n";
  }
  return text;
}

// Runs `work` in a forked process that has dropped root for nobody, as an ordinary user's process
// would be: no capability in the initial user namespace. Returns the text `work` produced.
std::string run_as_nobody(const std::function<std::string()>& work) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    return "error=pipe2\n";
  const pid_t pid = fork();
  if (pid < 0)
    return "error=fork\n";
  if (pid == 0) {
    close(pipe_fds[0]);
    std::string text;
    if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0) {
      text = std::string("error=dropping root: ") + std::strerror(errno) + "\n";
    } else if (prctl(PR_SET_DUMPABLE, 1) != 0) {
      // Changing IDs made this process non-dumpable, which makes the /proc files of it and of its
      // children root's: it could not open its own child's uid_map (EACCES). An ordinary user's
      // processes are dumpable.
      text = std::string("error=PR_SET_DUMPABLE: ") + std::strerror(errno) + "\n";
    } else {
      text = work();
    }
    (void)!write(pipe_fds[1], text.data(), text.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string text = read_all(pipe_fds[0]);
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return text;
}

TEST(CheckIdRanges, RefusesRangesThatOverlapInsideOrOutside) {
  EXPECT_TRUE(check_id_ranges({{0, 100000, 10}, {10, 100010, 10}}, "uid_map"));
  EXPECT_TRUE(check_id_ranges({}, "uid_map"));

  auto inside = check_id_ranges({{0, 100000, 10}, {9, 200000, 1}}, "uid_map");
  ASSERT_FALSE(inside);
  EXPECT_NE(inside.error().message().find("overlap inside"), std::string::npos);
  auto outside = check_id_ranges({{0, 100000, 10}, {50, 100009, 5}}, "gid_map");
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message().find("gid_map (0:100000:10 and 50:100009:5)"),
            std::string::npos)
      << outside.error().message();

  const std::vector<IdRange> too_many(341, IdRange{0, 0, 1});
  EXPECT_FALSE(check_id_ranges(too_many, "uid_map"));
}

TEST(ParseIdRange, AcceptsInnerOuterCount) {
  auto range = parse_id_range("0:1000:1");
  ASSERT_TRUE(range) << range.error().message();
  EXPECT_EQ(*range, (IdRange{0, 1000, 1}));

  auto highest = parse_id_range("4294967294:100000:1");
  ASSERT_TRUE(highest) << highest.error().message();
  EXPECT_EQ(*highest, (IdRange{4294967294u, 100000, 1}));
}

TEST(ParseIdRange, RefusesMalformedTextNamingItAndTheBadPart) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "INNER:OUTER:COUNT"},
      {"1:2", "INNER:OUTER:COUNT"},
      {"1:2:3:4", "INNER:OUTER:COUNT"},
      {"a:b:c", "INNER \"a\""},
      {"0:1000:", "COUNT is empty"},
      {"0:-1:1", "OUTER \"-1\""},
      {"0: 1:1", "OUTER \" 1\""},
      {"1:2:0", "COUNT must be at least 1"},
      {"0:0:4294967296", "COUNT \"4294967296\" exceeds"},
      {"4294967295:0:2", "INNER+COUNT"},
      {"0:4294967295:1", "OUTER+COUNT"},
  };
  for (const auto& [text, bad_part] : cases) {
    auto range = parse_id_range(text);
    ASSERT_FALSE(range) << "accepted \"" << text << "\"";
    EXPECT_EQ(range.error().subject, "\"" + text + "\"");
    EXPECT_NE(range.error().hint.find(bad_part), std::string::npos)
        << "for \"" << text << "\": " << range.error().message();
  }
}

TEST(IdMapText, OneLinePerRange) {
  EXPECT_EQ(id_map_text({{0, 1000, 1}, {1, 100000, 65536}}), "0 1000 1\n1 100000 65536\n");
  EXPECT_EQ(id_map_text({}), "");
}

TEST(IdMapping, RootUserIsTheCallerWithSetgroupsDenied) {
  const IdMapping mapping = map_root_user();
  EXPECT_EQ(mapping.uids, (std::vector<IdRange>{{0, static_cast<uint32_t>(geteuid()), 1}}));
  EXPECT_EQ(mapping.gids, (std::vector<IdRange>{{0, static_cast<uint32_t>(getegid()), 1}}));
  EXPECT_EQ(mapping.setgroups, Setgroups::deny);
  EXPECT_FALSE(mapping.empty());
  EXPECT_TRUE(IdMapping{}.empty());
}

TEST(WriteIdMaps, RootUserIsRootInsideAndTheCallerOutside) {
  NSBENCH_REQUIRE_ROOT();
  auto seen = parse_lines(observe_user_namespace(map_root_user()));
  ASSERT_EQ(seen.count("error"), 0u) << seen["error"];
  EXPECT_EQ(seen["uid"], "0");
  EXPECT_EQ(seen["gid"], "0");
  EXPECT_EQ(seen["uid_map"], "0 " + std::to_string(geteuid()) + " 1");
  EXPECT_EQ(seen["gid_map"], "0 " + std::to_string(getegid()) + " 1");
  EXPECT_EQ(seen["setgroups"], "deny");
}

TEST(WriteIdMaps, RangesAppearInTheChildsMaps) {
  NSBENCH_REQUIRE_ROOT();
  IdMapping mapping;
  mapping.uids = {*parse_id_range("0:100000:65536")};
  mapping.gids = {*parse_id_range("0:200000:1000"), *parse_id_range("1000:0:1")};
  auto seen = parse_lines(observe_user_namespace(mapping));
  ASSERT_EQ(seen.count("error"), 0u) << seen["error"];
  EXPECT_EQ(seen["uid_map"], expected_map(mapping.uids));
  EXPECT_EQ(seen["gid_map"], expected_map(mapping.gids));
  EXPECT_EQ(seen["gid"], "1000");  // the caller's gid 0 is 1000 inside
  EXPECT_EQ(seen["setgroups"], "allow");
}

TEST(WriteIdMaps, CurrentUserKeepsItsIds) {
  NSBENCH_REQUIRE_ROOT();
  auto seen = parse_lines(observe_user_namespace(map_current_user()));
  ASSERT_EQ(seen.count("error"), 0u) << seen["error"];
  EXPECT_EQ(seen["uid"], std::to_string(geteuid()));
  EXPECT_EQ(seen["gid"], std::to_string(getegid()));
}

TEST(WriteIdMaps, OverlappingRangesFailTheSpawnWithEinvalAndLeaveNoChild) {
  NSBENCH_REQUIRE_ROOT();
  IdMapping mapping;
  mapping.uids = {{0, 100000, 10}, {5, 200000, 1}};  // inside IDs 5 overlap
  pid_t seen = 0;
  SpawnOptions options;
  options.namespaces = NamespaceSet::of({NamespaceType::user});
  options.prepare_from_parent = [&](pid_t child) {
    seen = child;
    return write_id_maps(child, mapping);
  };
  auto child = spawn_in_namespaces(options, [] { return 0; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().operation, "write uid_map");
  EXPECT_EQ(child.error().subject, "/proc/" + std::to_string(seen) + "/uid_map");
  EXPECT_EQ(child.error().error_number, EINVAL);
  EXPECT_NE(child.error().hint.find("overlapping"), std::string::npos) << child.error().message();
  ASSERT_GT(seen, 0);
  EXPECT_NE(kill(seen, 0), 0) << "the child was left behind";
}

TEST(WriteIdMaps, UnprivilegedCallerBecomesRootInside) {
  NSBENCH_REQUIRE_ROOT();  // to become nobody
  auto seen = parse_lines(run_as_nobody([] { return observe_user_namespace(map_root_user()); }));
  ASSERT_EQ(seen.count("error"), 0u) << seen["error"];
  EXPECT_EQ(seen["uid"], "0");
  EXPECT_EQ(seen["gid"], "0");
  EXPECT_EQ(seen["uid_map"], "0 65534 1");
  EXPECT_EQ(seen["gid_map"], "0 65534 1");
  EXPECT_EQ(seen["setgroups"], "deny");
}

TEST(WriteIdMaps, UnprivilegedCallerKeepsItsIdsWithCurrentUser) {
  NSBENCH_REQUIRE_ROOT();  // to become nobody
  auto seen = parse_lines(run_as_nobody([] { return observe_user_namespace(map_current_user()); }));
  ASSERT_EQ(seen.count("error"), 0u) << seen["error"];
  EXPECT_EQ(seen["uid"], "65534");
  EXPECT_EQ(seen["gid"], "65534");
}

TEST(WriteIdMaps, UnprivilegedCallerCannotMapOtherIds) {
  NSBENCH_REQUIRE_ROOT();  // to become nobody
  IdMapping mapping;
  mapping.uids = {{0, 100000, 65536}};
  auto seen = parse_lines(run_as_nobody([&] { return observe_user_namespace(mapping); }));
  ASSERT_EQ(seen.count("error"), 1u) << "an unprivileged caller mapped 0:100000:65536";
  EXPECT_NE(seen["error"].find("write uid_map"), std::string::npos) << seen["error"];
  EXPECT_NE(seen["error"].find(std::strerror(EPERM)), std::string::npos) << seen["error"];
  EXPECT_NE(seen["error"].find("newuidmap"), std::string::npos) << seen["error"];
}

TEST(WriteIdMaps, UnprivilegedGidMapNeedsSetgroupsDenied) {
  NSBENCH_REQUIRE_ROOT();  // to become nobody
  auto seen = parse_lines(run_as_nobody([] {
    IdMapping mapping = map_root_user();  // here, where the caller is nobody
    mapping.setgroups = Setgroups::unchanged;
    return observe_user_namespace(mapping);
  }));
  ASSERT_EQ(seen.count("error"), 1u) << "the kernel took gid_map with setgroups allowed";
  EXPECT_NE(seen["error"].find("write gid_map"), std::string::npos) << seen["error"];
  EXPECT_NE(seen["error"].find("setgroups deny"), std::string::npos) << seen["error"];
}

}  // namespace
}  // namespace nsbench::engine
