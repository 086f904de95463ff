// File: byte_stream.h
// Sequential byte sources for inputs that cannot be mapped: pipes, stdin, compressed files.
//
//   auto s = ouiscan::io::fd_stream(STDIN_FILENO, {});
//   auto n = s.read(buffer);   // 0 at the end
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ouiscan/core/bytes.h"
#include "ouiscan/core/error.h"

namespace ouiscan::io {

// Bytes a stream lends out of its own memory, valid while `keep` is held (and the stream lives).
struct loan {
  core::bytes data;
  std::shared_ptr<const void> keep;
  bool last = false;  // data runs to the end of the stream
};

class byte_stream {
 public:
  virtual ~byte_stream() = default;
  // Reads up to out.size() bytes; 0 means the end of the stream.
  [[nodiscard]] virtual core::result<std::size_t> read(std::span<std::byte> out) = 0;
  // Streams whose bytes already sit in memory (S3 parts) lend them, so that the reader copies
  // nothing. peek() waits for at least min_bytes at the stream's position (fewer only where a
  // part or the stream ends, or before a fault) and lends every byte there is up to there;
  // skip(n) moves past n of them. A fault comes once the bytes before it are lent. Only when
  // lends(); read() and skip() move the same position.
  [[nodiscard]] virtual bool lends() const noexcept { return false; }
  [[nodiscard]] virtual core::result<loan> peek(std::size_t /*min_bytes*/) {
    return core::error{core::errc::io_error, 0, 0, 0};
  }
  virtual void skip(std::size_t /*n*/) {}
  // Bytes taken from the underlying file or pipe so far (compressed bytes for compressed input).
  [[nodiscard]] virtual std::uint64_t raw_bytes_read() const noexcept = 0;
  // After read() failed: a one-line account beyond the error code (e.g. the remote server's
  // answer), or "".
  [[nodiscard]] virtual std::string error_detail() const { return {}; }
};

// Reads a file descriptor (retrying EINTR), after first returning `prefix`: the bytes already
// read to sniff the format.
class fd_stream final : public byte_stream {
 public:
  fd_stream(int fd, std::vector<std::byte> prefix, bool owns_fd = false);
  fd_stream(const fd_stream&) = delete;
  fd_stream& operator=(const fd_stream&) = delete;
  ~fd_stream() override;
  [[nodiscard]] core::result<std::size_t> read(std::span<std::byte> out) override;
  [[nodiscard]] std::uint64_t raw_bytes_read() const noexcept override { return raw_; }

 private:
  int fd_;
  bool owns_fd_;
  std::vector<std::byte> prefix_;
  std::size_t prefix_pos_ = 0;
  std::uint64_t raw_ = 0;
};

// Decompresses gzip (and zlib) data from another stream, member after member.
[[nodiscard]] std::unique_ptr<byte_stream> make_gzip_stream(std::unique_ptr<byte_stream> inner);
// Decompresses zstd data from another stream, frame after frame, with bounded memory.
[[nodiscard]] std::unique_ptr<byte_stream> make_zstd_stream(std::unique_ptr<byte_stream> inner);
// Reads another stream ahead on a thread of its own, `blocks` blocks of `block_bytes` at most,
// so that a decompressor runs beside the reader instead of before it. The bytes, the end and a
// fault (after every byte before it) come out as the inner stream gave them.
[[nodiscard]] std::unique_ptr<byte_stream> make_read_ahead_stream(
    std::unique_ptr<byte_stream> inner, std::size_t block_bytes = std::size_t{1} << 20,
    std::size_t blocks = 4);

}  // namespace ouiscan::io
