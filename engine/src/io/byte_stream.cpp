#include "ouiscan/io/byte_stream.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

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

class read_ahead_stream final : public byte_stream {
 public:
  read_ahead_stream(std::unique_ptr<byte_stream> inner, std::size_t block_bytes, std::size_t blocks)
      : inner_(std::move(inner)) {
    for (std::size_t i = 0; i < blocks; ++i)
      free_.push_back(block{std::vector<std::byte>(block_bytes), 0});
    thread_ = std::thread([this] { fill(); });
  }
  read_ahead_stream(const read_ahead_stream&) = delete;
  read_ahead_stream& operator=(const read_ahead_stream&) = delete;
  ~read_ahead_stream() override {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  core::result<std::size_t> read(std::span<std::byte> out) override {
    while (pos_ == current_.size) {
      std::unique_lock lock(mutex_);
      if (!current_.data.empty()) free_.push_back(std::move(current_));
      current_ = block{};
      pos_ = 0;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !filled_.empty() || done_; });
      if (filled_.empty()) {
        if (error_) return *error_;
        return std::size_t{0};
      }
      current_ = std::move(filled_.front());
      filled_.pop_front();
    }
    const std::size_t n = std::min(out.size(), current_.size - pos_);
    std::memcpy(out.data(), current_.data.data() + pos_, n);
    pos_ += n;
    return n;
  }
  [[nodiscard]] std::uint64_t raw_bytes_read() const noexcept override {
    return raw_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::string error_detail() const override {
    const std::lock_guard lock(mutex_);
    return detail_;
  }

 private:
  struct block {
    std::vector<std::byte> data;
    std::size_t size = 0;
  };

  // The reading thread: fills free blocks in order until the end, a fault or the destructor.
  void fill() {
    for (;;) {
      block b;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
        if (stop_) return;
        b = std::move(free_.back());
        free_.pop_back();
      }
      b.size = 0;
      std::optional<core::error> fault;
      bool end = false;
      while (b.size < b.data.size()) {
        auto got = inner_->read(std::span(b.data).subspan(b.size));
        if (!got) {
          fault = got.error();
          break;
        }
        if (*got == 0) {
          end = true;
          break;
        }
        b.size += *got;
      }
      raw_.store(inner_->raw_bytes_read(), std::memory_order_relaxed);
      std::string detail = fault ? inner_->error_detail() : std::string();
      {
        const std::lock_guard lock(mutex_);
        if (b.size > 0) {
          filled_.push_back(std::move(b));
        } else {
          free_.push_back(std::move(b));
        }
        if (fault || end) {
          done_ = true;
          error_ = fault;
          detail_ = std::move(detail);
        }
      }
      changed_.notify_all();
      if (fault || end) return;
    }
  }

  std::unique_ptr<byte_stream> inner_;  // used by the reading thread only
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<block> free_;
  std::deque<block> filled_;
  bool done_ = false;
  bool stop_ = false;
  std::optional<core::error> error_;
  std::string detail_;
  std::atomic<std::uint64_t> raw_{0};
  block current_;  // the reader's
  std::size_t pos_ = 0;
  std::thread thread_;
};

std::unique_ptr<byte_stream> make_read_ahead_stream(std::unique_ptr<byte_stream> inner,
                                                    std::size_t block_bytes, std::size_t blocks) {
  return std::make_unique<read_ahead_stream>(std::move(inner), block_bytes, blocks);
}

std::unique_ptr<byte_stream> make_zstd_stream(std::unique_ptr<byte_stream> inner) {
  return std::make_unique<zstd_stream>(std::move(inner));
}

std::unique_ptr<byte_stream> make_gzip_stream(std::unique_ptr<byte_stream> inner) {
  return std::make_unique<gzip_stream>(std::move(inner));
}

}  // namespace ouiscan::io
