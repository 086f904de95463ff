// File: writer.h
// Writes pcap and pcapng bytes field by field, in either byte order, as the formats specify
// (format.h): live captures' -w, the benchmark generator and the tests' hand-built captures all
// write through it. The bytes accumulate in memory; callers that stream a large file write them
// out and clear() as they go.
//
//   capture::writer w;
//   w.section(false).interface(1, 65535).enhanced_packet(0, ts_us, frame);
//   fwrite(w.bytes().data(), 1, w.size(), f);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ouiscan::capture {

class writer {
 public:
  // One option of a pcapng block: its code and value (padded to 32 bits when written).
  struct option {
    std::uint16_t code;
    std::vector<std::byte> value;
  };
  using data = std::span<const std::byte>;

  explicit writer(bool big_endian = false) : be_(big_endian) {}

  // pcap: the file header (link_field is the whole 32-bit field, FCS bits included), then
  // records; origlen 0 means the captured length.
  writer& pcap_header(std::uint32_t link_field, bool nanoseconds = false,
                      std::uint32_t snaplen = 65535, std::uint32_t magic = 0);
  writer& pcap_record(std::uint32_t seconds, std::uint32_t fraction, data frame,
                      std::uint32_t origlen = 0);

  // pcapng: a section (in its own byte order; section_length -1 is "not given"), interfaces,
  // packets and any other block.
  writer& section(bool big_endian, std::int64_t section_length = -1);
  writer& interface(std::uint16_t link_type, std::uint32_t snaplen,
                    std::span<const option> options = {});
  writer& enhanced_packet(std::uint32_t interface, std::uint64_t timestamp, data frame,
                          std::uint32_t origlen = 0, std::span<const option> options = {});
  writer& simple_packet(data frame, std::uint32_t origlen = 0);
  writer& obsolete_packet(std::uint16_t interface, std::uint64_t timestamp, data frame);
  writer& block(std::uint32_t type, data body);

  // Raw fields in the current byte order, for what the formats leave open.
  void u8(std::uint8_t v) { out_.push_back(std::byte{v}); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void raw(data d) { out_.insert(out_.end(), d.begin(), d.end()); }
  void pad4() { out_.resize((out_.size() + 3) & ~std::size_t{3}); }

  [[nodiscard]] const std::vector<std::byte>& bytes() const noexcept { return out_; }
  std::vector<std::byte>& bytes() noexcept { return out_; }
  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }
  void clear() noexcept { out_.clear(); }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = be_ ? 8 * (n - 1 - i) : 8 * i;
      out_.push_back(std::byte{static_cast<std::uint8_t>(v >> shift)});
    }
  }
  void patch_u32(std::size_t at, std::uint32_t v);
  std::size_t begin_block(std::uint32_t type);
  void end_block(std::size_t start);
  void options(std::span<const option> options);

  bool be_;
  std::vector<std::byte> out_;
};

}  // namespace ouiscan::capture
