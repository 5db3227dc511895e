#include "engine/namespace_files.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace nsbench::engine {

namespace {

std::string proc_namespace_path(pid_t pid, NamespaceOf whose, NamespaceType type) {
  std::string entry(name(type));
  if (whose == NamespaceOf::children &&
      (type == NamespaceType::pid || type == NamespaceType::time)) {
    entry += "_for_children";
  }
  return "/proc/" + std::to_string(pid) + "/ns/" + entry;
}

std::string bind_failure_hint(int error_number, const std::string& source, bool target_exists) {
  if (error_number == EINVAL) {
    return "the file must be outside the namespace and not on a shared mount (mount "
           "--make-private its directory)";
  }
  if (error_number != ENOENT)
    return "";
  if (!target_exists)
    return "the directory of the file does not exist";
  // The kernel shows a PID namespace made by unshare() only once its first process exists.
  if (source.ends_with("pid_for_children")) {
    return "a new PID namespace can be kept only once a process is in it: add --fork";
  }
  return "the process has exited";
}

struct Bound {
  std::string path;
  bool created;
};

void undo(const std::vector<Bound>& bound) {
  for (const Bound& entry : bound) {
    umount2(entry.path.c_str(), MNT_DETACH);
    if (entry.created)
      unlink(entry.path.c_str());
  }
}

}  // namespace

Result<> check_namespace_files(const std::vector<NamespaceFile>& files) {
  // One file holds one namespace: a second bind would stack on the first and hide it.
  for (size_t i = 0; i < files.size(); ++i) {
    for (size_t j = i + 1; j < files.size(); ++j) {
      if (files[i].path == files[j].path) {
        return plain_error("keep the namespace in " + files[j].path,
                           std::string(name(files[j].type)),
                           "the file already keeps the " + std::string(name(files[i].type)) +
                               " namespace; give each namespace a file of its own");
      }
    }
  }
  return {};
}

Result<> bind_namespace_files(pid_t pid, NamespaceOf whose,
                              const std::vector<NamespaceFile>& files) {
  if (auto checked = check_namespace_files(files); !checked)
    return checked;

  std::vector<Bound> bound;
  for (const NamespaceFile& file : files) {
    const int fd = open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    const bool created = fd >= 0;
    if (created)
      close(fd);
    const bool target_exists = created || access(file.path.c_str(), F_OK) == 0;

    // The kernel would bind the namespace over any file, a device such as /dev/null included,
    // and everything using that path would then break; only a regular file is taken.
    struct stat status {};
    if (!created && target_exists && stat(file.path.c_str(), &status) == 0 &&
        !S_ISREG(status.st_mode)) {
      undo(bound);
      return plain_error("keep the namespace in " + file.path, std::string(name(file.type)),
                         "it is not a regular file; give a new path or an empty regular file");
    }
    // Nor one with content, which the bind would hide from everything that reads it.
    if (!created && target_exists && status.st_size > 0) {
      undo(bound);
      return plain_error("keep the namespace in " + file.path, std::string(name(file.type)),
                         "the file is not empty; give a new path or an empty regular file");
    }
    struct statfs holder {};
    if (!created && statfs(file.path.c_str(), &holder) == 0 && holder.f_type == NSFS_MAGIC) {
      undo(bound);
      return plain_error("keep the namespace in " + file.path, std::string(name(file.type)),
                         "the file already keeps a namespace; umount it first");
    }

    const std::string source = proc_namespace_path(pid, whose, file.type);
    if (mount(source.c_str(), file.path.c_str(), nullptr, MS_BIND, nullptr) < 0) {
      const int saved = errno;
      if (created)
        unlink(file.path.c_str());
      undo(bound);
      errno = saved;
      return system_error("bind " + source, file.path,
                          bind_failure_hint(saved, source, target_exists));
    }
    bound.push_back(Bound{file.path, created});
  }
  return {};
}

}  // namespace nsbench::engine
