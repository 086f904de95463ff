#include "ouiscan/io/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ouiscan::io {
namespace {

constexpr std::size_t sniff_bytes = 4;

bool is_gzip(std::span<const std::byte> head) noexcept {
  return head.size() >= 2 && head[0] == std::byte{0x1F} && head[1] == std::byte{0x8B};
}

bool is_zstd(std::span<const std::byte> head) noexcept {
  return head.size() >= 4 && head[0] == std::byte{0x28} && head[1] == std::byte{0xB5} &&
         head[2] == std::byte{0x2F} && head[3] == std::byte{0xFD};
}

core::error io_fault(std::uint64_t offset) noexcept {
  return core::error{core::errc::io_error, offset, 0, errno};
}

// Reads up to n bytes from the start of a pipe or file, retrying short reads.
core::result<std::vector<std::byte>> read_head(int fd, std::size_t n) {
  std::vector<std::byte> head(n);
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, head.data() + got, n - got);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      return io_fault(got);
    }
    got += static_cast<std::size_t>(r);
  }
  head.resize(got);
  return head;
}

}  // namespace

const char* to_string(compression c) noexcept {
  switch (c) {
    case compression::gzip:
      return "gzip";
    case compression::zstd:
      return "zstd";
    case compression::none:
      break;
  }
  return "none";
}

core::result<input> open_input(const std::string& path) {
  input in;
  in.name = path == "-" ? "<stdin>" : path;
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_fault(0);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const auto e = io_fault(0);
    if (!is_stdin) ::close(fd);
    return e;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    return core::error{core::errc::io_error, 0, 0, EISDIR};
  }
  const bool regular = S_ISREG(st.st_mode);
  if (regular) in.size = static_cast<std::uint64_t>(st.st_size);

  auto head = read_head(fd, sniff_bytes);
  if (!head) {
    if (!is_stdin) ::close(fd);
    return head.error();
  }
  const bool gzip = is_gzip(*head);
  const bool zstd = is_zstd(*head);
  if (regular && !gzip && !zstd && ::lseek(fd, 0, SEEK_SET) == 0) {
    auto m = mapped_file::open(fd);
    if (!is_stdin) ::close(fd);
    if (!m) return m.error();
    in.mapped = std::move(*m);
    return in;
  }
  std::unique_ptr<byte_stream> s = std::make_unique<fd_stream>(fd, std::move(*head), !is_stdin);
  if (gzip) {
    in.compressed = compression::gzip;
    s = make_gzip_stream(std::move(s));
  } else if (zstd) {
    in.compressed = compression::zstd;
    s = make_zstd_stream(std::move(s));
  }
  in.stream = std::move(s);
  return in;
}

}  // namespace ouiscan::io
