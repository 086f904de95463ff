#include "ouiscan/io/byte_stream.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

namespace ouiscan::io {

fd_stream::fd_stream(int fd, std::vector<std::byte> prefix, bool owns_fd)
    : fd_(fd), owns_fd_(owns_fd), prefix_(std::move(prefix)) {}

fd_stream::~fd_stream() {
  if (owns_fd_) ::close(fd_);
}

core::result<std::size_t> fd_stream::read(std::span<std::byte> out) {
  if (prefix_pos_ < prefix_.size()) {
    const std::size_t n = std::min(out.size(), prefix_.size() - prefix_pos_);
    std::memcpy(out.data(), prefix_.data() + prefix_pos_, n);
    prefix_pos_ += n;
    return n;
  }
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) {
      raw_ += static_cast<std::uint64_t>(n);
      return static_cast<std::size_t>(n);
    }
    if (errno != EINTR) return core::error{core::errc::io_error, raw_, 0, errno};
  }
}

namespace {

// A decompressor over another stream. A fault after some output returns that output first and
// the fault on the next call, so that every byte decoded before a fault is used.
class decoder_stream : public byte_stream {
 public:
  core::result<std::size_t> read(std::span<std::byte> out) final {
    if (pending_) return *pending_;
    std::size_t done = 0;
    if (auto fault = fill(out, done)) {
      if (done == 0) return *fault;
      pending_ = fault;
    }
    return done;
  }

 protected:
  // Decodes into out, adding the bytes produced to done; returns the fault that stops it, if any.
  virtual std::optional<core::error> fill(std::span<std::byte> out, std::size_t& done) = 0;

 private:
  std::optional<core::error> pending_;
};

class gzip_stream final : public decoder_stream {
 public:
  explicit gzip_stream(std::unique_ptr<byte_stream> inner)
      : inner_(std::move(inner)), in_(in_buffer_bytes) {
    // 15 window bits + 32: accept both gzip and zlib headers.
    ok_ = inflateInit2(&z_, 15 + 32) == Z_OK;
  }
  gzip_stream(const gzip_stream&) = delete;
  gzip_stream& operator=(const gzip_stream&) = delete;
  ~gzip_stream() override { inflateEnd(&z_); }

  std::optional<core::error> fill(std::span<std::byte> out, std::size_t& done) override {
    const auto fault = [&](core::errc code) { return core::error{code, produced_, 0, 0}; };
    if (!ok_) return fault(core::errc::decompress_error);
    while (done < out.size() && !finished_) {
      if (z_.avail_in == 0) {
        auto n = inner_->read(in_);
        if (!n) return n.error();
        if (*n == 0) {
          // The input ended: clean only at a member boundary.
          if (member_started_) return fault(core::errc::truncated_file);
          finished_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(*n);
      }
      const std::size_t want =
          std::min<std::size_t>(out.size() - done, std::numeric_limits<uInt>::max());
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + done);
      z_.avail_out = static_cast<uInt>(want);
      member_started_ = true;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const std::size_t got = want - z_.avail_out;
      done += got;
      produced_ += got;
      if (rc == Z_STREAM_END) {
        member_started_ = false;  // another gzip member may follow (as `cat a.gz b.gz` makes)
        if (inflateReset(&z_) != Z_OK) return fault(core::errc::decompress_error);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return fault(core::errc::decompress_error);
      }
    }
    return std::nullopt;
  }

  std::uint64_t raw_bytes_read() const noexcept override { return inner_->raw_bytes_read(); }
  std::string error_detail() const override { return inner_->error_detail(); }

 private:
  static constexpr std::size_t in_buffer_bytes = 256 * 1024;
  std::unique_ptr<byte_stream> inner_;
  std::vector<std::byte> in_;
  z_stream z_{};
  std::uint64_t produced_ = 0;
  bool ok_ = false;
  bool finished_ = false;
  bool member_started_ = false;
};

class zstd_stream final : public decoder_stream {
 public:
  explicit zstd_stream(std::unique_ptr<byte_stream> inner)
      : inner_(std::move(inner)), in_(ZSTD_DStreamInSize()), z_(ZSTD_createDStream()) {
    // A window cap bounds the memory a hostile frame header can demand (zstd's own default).
    ok_ = z_ != nullptr && !ZSTD_isError(ZSTD_initDStream(z_));
  }
  zstd_stream(const zstd_stream&) = delete;
  zstd_stream& operator=(const zstd_stream&) = delete;
  ~zstd_stream() override { ZSTD_freeDStream(z_); }

  std::optional<core::error> fill(std::span<std::byte> out, std::size_t& done) override {
    const auto fault = [&](core::errc code) { return core::error{code, produced_, 0, 0}; };
    if (!ok_) return fault(core::errc::decompress_error);
    while (done < out.size() && !finished_) {
      if (input_.pos == input_.size) {
        auto n = inner_->read(in_);
        if (!n) return n.error();
        if (*n == 0) {
          // The input ended: clean only where a frame ended.
          if (frame_open_) return fault(core::errc::truncated_file);
          finished_ = true;
          break;
        }
        input_ = {in_.data(), *n, 0};
      }
      ZSTD_outBuffer output{out.data() + done, out.size() - done, 0};
      const std::size_t rc = ZSTD_decompressStream(z_, &output, &input_);
      if (ZSTD_isError(rc)) return fault(core::errc::decompress_error);
      frame_open_ = rc != 0;  // 0: a frame is complete
      done += output.pos;
      produced_ += output.pos;
    }
    return std::nullopt;
  }

  std::uint64_t raw_bytes_read() const noexcept override { return inner_->raw_bytes_read(); }
  std::string error_detail() const override { return inner_->error_detail(); }

 private:
  std::unique_ptr<byte_stream> inner_;
  std::vector<std::byte> in_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  ZSTD_DStream* z_;
  std::uint64_t produced_ = 0;
  bool ok_ = false;
  bool finished_ = false;
  bool frame_open_ = false;
};

}  // namespace

std::unique_ptr<byte_stream> make_zstd_stream(std::unique_ptr<byte_stream> inner) {
  return std::make_unique<zstd_stream>(std::move(inner));
}

std::unique_ptr<byte_stream> make_gzip_stream(std::unique_ptr<byte_stream> inner) {
  return std::make_unique<gzip_stream>(std::move(inner));
}

}  // namespace ouiscan::io
