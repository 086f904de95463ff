#include "ouiscan/io/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ouiscan::io {
namespace {

constexpr std::size_t sniff_bytes = 4;

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

// Gives back the bytes read to sniff the format, then the rest of the stream.
class prefixed_stream final : public byte_stream {
 public:
  prefixed_stream(std::vector<std::byte> prefix, std::unique_ptr<byte_stream> inner)
      : prefix_(std::move(prefix)), inner_(std::move(inner)) {}
  core::result<std::size_t> read(std::span<std::byte> out) override {
    if (pos_ < prefix_.size()) {
      const std::size_t n = std::min(out.size(), prefix_.size() - pos_);
      std::copy_n(prefix_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
      pos_ += n;
      return n;
    }
    return inner_->read(out);
  }
  [[nodiscard]] std::uint64_t raw_bytes_read() const noexcept override {
    return inner_->raw_bytes_read();
  }
  [[nodiscard]] std::string error_detail() const override { return inner_->error_detail(); }

 private:
  std::vector<std::byte> prefix_;
  std::size_t pos_ = 0;
  std::unique_ptr<byte_stream> inner_;
};

std::unique_ptr<byte_stream> decompress_if_needed(input& in, std::span<const std::byte> head,
                                                  std::unique_ptr<byte_stream> s) {
  in.compressed = compression_of(head);
  // A decompressor is the serial stage's heaviest work: it runs on a thread of its own, ahead.
  if (in.compressed == compression::gzip)
    return make_read_ahead_stream(make_gzip_stream(std::move(s)));
  if (in.compressed == compression::zstd)
    return make_read_ahead_stream(make_zstd_stream(std::move(s)));
  return s;
}

}  // namespace

core::result<input> open_stream(std::string name, std::unique_ptr<byte_stream> s,
                                std::uint64_t size) {
  input in;
  in.name = std::move(name);
  in.size = size;
  if (s->lends()) {  // sniffed in place: the stream stays as it is, lending to the reader
    auto l = s->peek(sniff_bytes);
    if (!l) return l.error();
    const auto head = l->data.first(std::min(l->data.size(), sniff_bytes));
    const std::vector<std::byte> sniffed(head.begin(), head.end());
    l->keep.reset();
    in.stream = decompress_if_needed(in, sniffed, std::move(s));
    return in;
  }
  std::vector<std::byte> head(sniff_bytes);
  std::size_t got = 0;
  while (got < head.size()) {
    auto n = s->read(std::span(head).subspan(got));
    if (!n) return n.error();
    if (*n == 0) break;
    got += *n;
  }
  head.resize(got);
  const std::vector<std::byte> sniffed = head;
  in.stream = decompress_if_needed(
      in, sniffed, std::make_unique<prefixed_stream>(std::move(head), std::move(s)));
  return in;
}

compression compression_of(std::span<const std::byte> head) noexcept {
  if (head.size() >= 2 && head[0] == std::byte{0x1F} && head[1] == std::byte{0x8B}) {
    return compression::gzip;
  }
  if (head.size() >= 4 && head[0] == std::byte{0x28} && head[1] == std::byte{0xB5} &&
      head[2] == std::byte{0x2F} && head[3] == std::byte{0xFD}) {
    return compression::zstd;
  }
  return compression::none;
}

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
  if (regular && compression_of(*head) == compression::none && ::lseek(fd, 0, SEEK_SET) == 0) {
    auto m = mapped_file::open(fd);
    if (!is_stdin) ::close(fd);
    if (!m) return m.error();
    in.mapped = std::move(*m);
    return in;
  }
  const std::vector<std::byte> sniffed = *head;
  in.stream = decompress_if_needed(in, sniffed,
                                   std::make_unique<fd_stream>(fd, std::move(*head), !is_stdin));
  return in;
}

}  // namespace ouiscan::io
