// File: capture_builder.h
// Builds pcap and pcapng bytes field by field in either byte order, through capture::writer
// (which follows the format specifications; the framer under test reads them on its own), so
// tests can state exactly what a file holds.
//
//   pcap_builder b(/*big_endian=*/true, /*nanos=*/false, 1 /*ETHERNET*/);
//   b.record(1700000000, 5, frame_bytes);
//   auto bytes = b.bytes();
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "ouiscan/capture/writer.h"

namespace ouiscan::testing {

using byte_vec = std::vector<std::byte>;

// Bytes from a hex string; spaces and colons are ignored: hex("00:11 22").
inline byte_vec hex(const std::string& s) {
  byte_vec out;
  int hi = -1;
  for (char c : s) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(std::byte{static_cast<std::uint8_t>(hi * 16 + v)});
      hi = -1;
    }
  }
  return out;
}

inline byte_vec concat(std::initializer_list<byte_vec> parts) {
  byte_vec out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// An Ethernet II frame: dst, src, EtherType, payload.
inline byte_vec ethernet(const std::string& dst, const std::string& src, std::uint16_t type,
                         const byte_vec& payload = byte_vec(46)) {
  byte_vec f = concat({hex(dst), hex(src)});
  f.push_back(std::byte{static_cast<std::uint8_t>(type >> 8)});
  f.push_back(std::byte{static_cast<std::uint8_t>(type)});
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// An ARP request/reply body for IPv4 over Ethernet (RFC 826).
inline byte_vec arp(const std::string& sha, const std::string& tha, std::uint16_t op = 1) {
  byte_vec b = hex("0001 0800 06 04");
  b.push_back(std::byte{static_cast<std::uint8_t>(op >> 8)});
  b.push_back(std::byte{static_cast<std::uint8_t>(op)});
  return concat({b, hex(sha), hex("c0a80001"), hex(tha), hex("c0a80002")});
}

// A pcap file: the header, then records (through the library's capture::writer, which
// follows the format specifications; the framer under test reads them independently).
class pcap_builder {
 public:
  pcap_builder(bool big_endian, bool nanos, std::uint32_t link_field, std::uint32_t snaplen = 65535)
      : w_(big_endian) {
    w_.pcap_header(link_field, nanos, snaplen);
  }
  pcap_builder& record(std::uint32_t sec, std::uint32_t frac, const byte_vec& data,
                       std::uint32_t origlen = 0) {
    w_.pcap_record(sec, frac, data, origlen);
    return *this;
  }
  [[nodiscard]] const byte_vec& bytes() const { return w_.bytes(); }

 private:
  capture::writer w_;
};

class pcapng_builder {
 public:
  using option = capture::writer::option;

  // Starts a section (call again for another section, possibly in the other byte order);
  // section_length -1 is "not given".
  pcapng_builder& section(bool big_endian, std::int64_t section_length = -1) {
    be_ = big_endian;
    w_.section(big_endian, section_length);
    return *this;
  }
  // An Interface Description Block; tsresol < 0 leaves the option out, tsoffset 0 too.
  pcapng_builder& interface(std::uint16_t link_type, int tsresol = -1, std::int64_t tsoffset = 0,
                            std::uint32_t snaplen = 0) {
    std::vector<option> options;
    if (tsresol >= 0) options.push_back({9, {std::byte{static_cast<std::uint8_t>(tsresol)}}});
    if (tsoffset != 0) {
      capture::writer v(be_);
      v.u64(static_cast<std::uint64_t>(tsoffset));
      options.push_back({14, v.bytes()});
    }
    w_.interface(link_type, snaplen, options);
    return *this;
  }
  // An Interface Description Block with the given options (opt_endofopt added).
  pcapng_builder& interface_with(std::uint16_t link_type, const std::vector<option>& options,
                                 std::uint32_t snaplen = 0) {
    w_.interface(link_type, snaplen, options);
    return *this;
  }
  pcapng_builder& epb(std::uint32_t iface, std::uint64_t ts, const byte_vec& data,
                      std::uint32_t origlen = 0, const std::vector<option>& options = {}) {
    w_.enhanced_packet(iface, ts, data, origlen, options);
    return *this;
  }
  pcapng_builder& spb(const byte_vec& data) {
    w_.simple_packet(data);
    return *this;
  }
  // The obsolete Packet Block (type 2).
  pcapng_builder& pb(std::uint16_t iface, std::uint64_t ts, const byte_vec& data) {
    w_.obsolete_packet(iface, ts, data);
    return *this;
  }
  // Any other block type, e.g. an Interface Statistics Block (5) or a custom block.
  pcapng_builder& other(std::uint32_t type, const byte_vec& body) {
    w_.block(type, body);
    return *this;
  }
  [[nodiscard]] const byte_vec& bytes() const { return w_.bytes(); }
  byte_vec& bytes() { return w_.bytes(); }

 private:
  bool be_ = false;
  capture::writer w_;
};

}  // namespace ouiscan::testing
