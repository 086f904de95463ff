#include "ouiscan/capture/writer.h"

#include "ouiscan/capture/format.h"

namespace ouiscan::capture {

writer& writer::pcap_header(std::uint32_t link_field, bool nanoseconds, std::uint32_t snaplen,
                            std::uint32_t magic) {
  u32(magic != 0 ? magic : nanoseconds ? format::pcap_magic_ns : format::pcap_magic_us);
  u16(2);
  u16(4);
  u32(0);  // thiszone
  u32(0);  // sigfigs
  u32(snaplen);
  u32(link_field);
  return *this;
}

writer& writer::pcap_record(std::uint32_t seconds, std::uint32_t fraction, data frame,
                            std::uint32_t origlen) {
  const auto caplen = static_cast<std::uint32_t>(frame.size());
  u32(seconds);
  u32(fraction);
  u32(caplen);
  u32(origlen != 0 ? origlen : caplen);
  raw(frame);
  return *this;
}

writer& writer::section(bool big_endian, std::int64_t section_length) {
  be_ = big_endian;
  const std::size_t start = begin_block(format::block_section_header);
  u32(format::byte_order_magic);
  u16(1);
  u16(0);
  u64(static_cast<std::uint64_t>(section_length));
  end_block(start);
  return *this;
}

writer& writer::interface(std::uint16_t link_type, std::uint32_t snaplen,
                          std::span<const option> opts) {
  const std::size_t start = begin_block(format::block_interface);
  u16(link_type);
  u16(0);
  u32(snaplen);
  options(opts);
  end_block(start);
  return *this;
}

writer& writer::enhanced_packet(std::uint32_t interface, std::uint64_t timestamp, data frame,
                                std::uint32_t origlen, std::span<const option> opts) {
  const auto caplen = static_cast<std::uint32_t>(frame.size());
  const std::size_t start = begin_block(format::block_enhanced_packet);
  u32(interface);
  u32(static_cast<std::uint32_t>(timestamp >> 32));
  u32(static_cast<std::uint32_t>(timestamp));
  u32(caplen);
  u32(origlen != 0 ? origlen : caplen);
  raw(frame);
  pad4();
  options(opts);
  end_block(start);
  return *this;
}

writer& writer::simple_packet(data frame, std::uint32_t origlen) {
  const std::size_t start = begin_block(format::block_simple_packet);
  u32(origlen != 0 ? origlen : static_cast<std::uint32_t>(frame.size()));
  raw(frame);
  pad4();
  end_block(start);
  return *this;
}

writer& writer::obsolete_packet(std::uint16_t interface, std::uint64_t timestamp, data frame) {
  const auto caplen = static_cast<std::uint32_t>(frame.size());
  const std::size_t start = begin_block(format::block_packet);
  u16(interface);
  u16(0);  // drops count
  u32(static_cast<std::uint32_t>(timestamp >> 32));
  u32(static_cast<std::uint32_t>(timestamp));
  u32(caplen);
  u32(caplen);
  raw(frame);
  pad4();
  end_block(start);
  return *this;
}

writer& writer::block(std::uint32_t type, data body) {
  const std::size_t start = begin_block(type);
  raw(body);
  pad4();
  end_block(start);
  return *this;
}

void writer::patch_u32(std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    const int shift = be_ ? 8 * (3 - i) : 8 * i;
    out_[at + static_cast<std::size_t>(i)] = std::byte{static_cast<std::uint8_t>(v >> shift)};
  }
}

std::size_t writer::begin_block(std::uint32_t type) {
  const std::size_t start = out_.size();
  u32(type);
  u32(0);  // the total length, patched by end_block
  return start;
}

void writer::end_block(std::size_t start) {
  const auto total = static_cast<std::uint32_t>(out_.size() + 4 - start);
  u32(total);
  patch_u32(start + 4, total);
}

void writer::options(std::span<const option> opts) {
  if (opts.empty()) return;
  for (const auto& o : opts) {
    u16(o.code);
    u16(static_cast<std::uint16_t>(o.value.size()));
    raw(o.value);
    pad4();
  }
  u16(format::opt_endofopt);
  u16(0);
}

}  // namespace ouiscan::capture
