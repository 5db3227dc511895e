#include "engine/forked_helper.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "common/numbered_entries.h"
#include "common/pipe_io.h"
#include "engine/join.h"
#include "engine/process.h"
#include "engine/spawn.h"

namespace nsbench::engine {

namespace {

// The child's answer on a pipe: a tag byte, then the value (tag 'v') or the Error's errno and its
// three strings, each preceded by its length (tag 'e').
void append_u32(std::string& out, uint32_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void append_text(std::string& out, const std::string& text) {
  append_u32(out, static_cast<uint32_t>(text.size()));
  out += text;
}

std::string encode(const Result<int>& result) {
  std::string out;
  if (result) {
    out += 'v';
    append_u32(out, static_cast<uint32_t>(*result));
    return out;
  }
  out += 'e';
  append_u32(out, static_cast<uint32_t>(result.error().error_number));
  append_text(out, result.error().operation);
  append_text(out, result.error().subject);
  append_text(out, result.error().hint);
  return out;
}

class Decoder {
 public:
  explicit Decoder(const std::string& data) : data_(data) {}

  bool u32(uint32_t* value) {
    if (data_.size() - at_ < sizeof *value)
      return false;
    std::memcpy(value, data_.data() + at_, sizeof *value);
    at_ += sizeof *value;
    return true;
  }

  bool text(std::string* value) {
    uint32_t size = 0;
    if (!u32(&size) || data_.size() - at_ < size)
      return false;
    *value = data_.substr(at_, size);
    at_ += size;
    return true;
  }

 private:
  const std::string& data_;
  size_t at_ = 1;  // after the tag
};

std::optional<Result<int>> decode(const std::string& data) {
  if (data.empty())
    return std::nullopt;
  Decoder decoder(data);
  uint32_t number = 0;
  if (!decoder.u32(&number))
    return std::nullopt;
  if (data[0] == 'v')
    return Result<int>(static_cast<int>(number));
  Error error;
  error.error_number = static_cast<int>(number);
  if (!decoder.text(&error.operation) || !decoder.text(&error.subject) ||
      !decoder.text(&error.hint)) {
    return std::nullopt;
  }
  return Result<int>(std::unexpected(std::move(error)));
}

}  // namespace

int thread_count() {
  int threads = 0;
  for_each_numbered_entry("/proc/self/task", [&threads](const char*) { ++threads; });
  return threads;
}

Result<int> run_in_forked_child(const std::function<Result<int>()>& work) {
  int answer[2];
  if (pipe2(answer, O_CLOEXEC) != 0)
    return system_error("pipe2", "forked helper");

  const pid_t child = fork();
  if (child < 0) {
    const auto failure = system_error("fork", "forked helper");
    close(answer[0]);
    close(answer[1]);
    return failure;
  }
  if (child == 0) {
    close(answer[0]);
    const bool sent = write_all(answer[1], encode(work()));
    _exit(sent ? 0 : 1);
  }

  close(answer[1]);
  const std::string data = read_all(answer[0]);
  close(answer[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR)
      return system_error("waitpid", "forked helper");
  }
  if (std::optional<Result<int>> result = decode(data))
    return *result;
  return plain_error(
      "run in a forked helper", "",
      "it ended without an answer, with status " + std::to_string(shell_status(status)));
}

Result<int> run_joined(pid_t target, NamespaceSet types, const std::function<int()>& work) {
  return run_in_forked_child([target, types, &work]() -> Result<int> {
    if (Result<> joined = join_namespaces(target, types); !joined)
      return std::unexpected(joined.error());
    return work();
  });
}

Result<int> run_unshared(NamespaceSet types, const std::function<int()>& work) {
  return run_in_forked_child([types, &work]() -> Result<int> {
    if (Result<> unshared = unshare_namespaces(types); !unshared)
      return std::unexpected(unshared.error());
    return work();
  });
}

}  // namespace nsbench::engine
