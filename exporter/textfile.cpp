#include "exporter/textfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "exporter/exposition.h"

namespace nsbench::exporter {
namespace {

constexpr const char* kOperation = "write metrics textfile";

// node_exporter reads only "*.prom" files, and a leading dot hides the file from `ls`: a temporary
// name that is both is never collected half-written.
std::string temporary_template(const std::filesystem::path& target) {
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  return (directory / ("." + target.filename().string() + ".XXXXXX")).string();
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR)
      continue;
    if (written < 0)
      return false;
    text.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

// Makes the rename itself durable; without it a crash could bring back the old file. Best effort:
// the new content is already in place when this runs.
void sync_directory_of(const std::filesystem::path& target) {
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  fsync(fd);
  close(fd);
}

}  // namespace

Result<> write_textfile(const std::string& path, const prometheus::Collectable& collectable) {
  if (path.empty() || std::filesystem::path(path).filename().empty()) {
    return plain_error(kOperation, path, "give a file name, e.g. nsbench.prom");
  }

  // Collect before creating anything, so that nothing needs cleaning if collection misbehaves.
  const std::string text = to_text_exposition(collectable);

  std::string temporary = temporary_template(path);
  const int fd = mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0)
    return system_error(kOperation, path);

  // Every failure from here on removes the temporary file, keeping the errno of the failed step.
  const auto fail = [&](bool descriptor_open) {
    const int saved = errno;
    if (descriptor_open)
      close(fd);
    unlink(temporary.c_str());
    errno = saved;
    return system_error(kOperation, path);
  };

  // mkostemp creates the file 0600; node_exporter usually runs as another user and must read it.
  if (fchmod(fd, 0644) != 0)
    return fail(true);
  if (!write_all(fd, text))
    return fail(true);
  if (fsync(fd) != 0)
    return fail(true);
  if (close(fd) != 0)
    return fail(false);
  if (rename(temporary.c_str(), path.c_str()) != 0)
    return fail(false);

  sync_directory_of(path);
  return {};
}

}  // namespace nsbench::exporter
