// Whole-buffer reads and writes on pipes, for forked children that report back through one.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>

namespace nsbench {

// Writes all of `text`, retrying short writes and interruptions; false when the pipe fails.
inline bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t written = write(fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return false;
    done += static_cast<size_t>(written);
  }
  return true;
}

// Reads until end of file (or an error), returning everything read.
inline std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return text;
    text.append(buffer, static_cast<size_t>(got));
  }
}

}  // namespace nsbench
