// The read-ahead stream gives exactly what its inner stream gave: every byte in order, the end,
// and a fault only after every byte before it, with the inner stream's detail; whatever the
// sizes of the reads on either side. The inner stream here is scripted by the test.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "ouiscan/io/byte_stream.h"

namespace ouiscan::io {
namespace {

// Gives `total` bytes (byte i is i % 251) in reads of at most `piece`, then the end or a fault.
class scripted final : public byte_stream {
 public:
  scripted(std::size_t total, std::size_t piece, bool fail)
      : total_(total), piece_(piece), fail_(fail) {}
  core::result<std::size_t> read(std::span<std::byte> out) override {
    if (given_ == total_) {
      if (fail_) return core::error{core::errc::decompress_error, given_, 0, 0};
      return std::size_t{0};
    }
    const std::size_t n = std::min({out.size(), piece_, total_ - given_});
    for (std::size_t i = 0; i < n; ++i)
      out[i] = std::byte{static_cast<std::uint8_t>((given_ + i) % 251)};
    given_ += n;
    return n;
  }
  [[nodiscard]] std::uint64_t raw_bytes_read() const noexcept override { return given_; }
  [[nodiscard]] std::string error_detail() const override { return fail_ ? "scripted fault" : ""; }

 private:
  std::size_t total_, piece_, given_ = 0;
  bool fail_;
};

struct drained {
  std::vector<std::byte> bytes;
  std::optional<core::error> error;
};

drained drain(byte_stream& s, std::size_t read_size) {
  drained d;
  std::vector<std::byte> buf(read_size);
  for (;;) {
    auto n = s.read(buf);
    if (!n) {
      d.error = n.error();
      return d;
    }
    if (*n == 0) return d;
    d.bytes.insert(d.bytes.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

bool in_order(const std::vector<std::byte>& b) {
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i] != std::byte{static_cast<std::uint8_t>(i % 251)}) return false;
  }
  return true;
}

TEST(ReadAhead, EveryByteInOrderThenTheEnd) {
  for (const std::size_t read_size :
       {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{100000}}) {
    auto s = make_read_ahead_stream(std::make_unique<scripted>(300000, 999, false), 4096, 3);
    const drained d = drain(*s, read_size);
    EXPECT_EQ(d.bytes.size(), 300000U) << read_size;
    EXPECT_TRUE(in_order(d.bytes)) << read_size;
    EXPECT_FALSE(d.error) << read_size;
    EXPECT_EQ(s->raw_bytes_read(), 300000U);
  }
}

TEST(ReadAhead, AFaultComesAfterEveryByteBeforeIt) {
  auto s = make_read_ahead_stream(std::make_unique<scripted>(12345, 100, true), 1000, 2);
  const drained d = drain(*s, 333);
  EXPECT_EQ(d.bytes.size(), 12345U);
  EXPECT_TRUE(in_order(d.bytes));
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, core::errc::decompress_error);
  EXPECT_EQ(d.error->offset, 12345U);
  EXPECT_EQ(s->error_detail(), "scripted fault");
}

TEST(ReadAhead, StoppingEarlyEnds) {
  // The reader takes a little and goes: the destructor stops the reading thread.
  auto s = make_read_ahead_stream(std::make_unique<scripted>(std::size_t{1} << 30, 65536, false),
                                  4096, 2);
  std::vector<std::byte> buf(10);
  ASSERT_TRUE(s->read(buf));
  s.reset();
  SUCCEED();
}

}  // namespace
}  // namespace ouiscan::io
