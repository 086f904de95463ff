// File: capture_builder.h
// Builds pcap and pcapng bytes field by field in either byte order, following the format
// specifications (not the parser under test), so tests can state exactly what a file holds.
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

namespace ouiscan::testing {

using byte_vec = std::vector<std::byte>;

class byte_writer {
 public:
  explicit byte_writer(bool big_endian) : be_(big_endian) {}
  void u8(std::uint8_t v) { out_.push_back(std::byte{v}); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void raw(const byte_vec& b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void pad4() {
    while (out_.size() % 4 != 0) u8(0);
  }
  void patch_u32(std::size_t at, std::uint32_t v) {
    byte_writer w(be_);
    w.u32(v);
    for (int i = 0; i < 4; ++i)
      out_[at + static_cast<std::size_t>(i)] = w.out_[static_cast<std::size_t>(i)];
  }
  [[nodiscard]] std::size_t size() const { return out_.size(); }
  [[nodiscard]] const byte_vec& bytes() const { return out_; }
  byte_vec& bytes() { return out_; }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = be_ ? 8 * (n - 1 - i) : 8 * i;
      out_.push_back(std::byte{static_cast<std::uint8_t>(v >> shift)});
    }
  }
  bool be_;
  byte_vec out_;
};

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

class pcap_builder {
 public:
  pcap_builder(bool big_endian, bool nanos, std::uint32_t link_field, std::uint32_t snaplen = 65535)
      : w_(big_endian) {
    w_.u32(nanos ? 0xA1B23C4D : 0xA1B2C3D4);
    w_.u16(2);
    w_.u16(4);
    w_.u32(0);  // thiszone
    w_.u32(0);  // sigfigs
    w_.u32(snaplen);
    w_.u32(link_field);
  }
  pcap_builder& record(std::uint32_t sec, std::uint32_t frac, const byte_vec& data,
                       std::uint32_t origlen = 0) {
    w_.u32(sec);
    w_.u32(frac);
    w_.u32(static_cast<std::uint32_t>(data.size()));
    w_.u32(origlen != 0 ? origlen : static_cast<std::uint32_t>(data.size()));
    w_.raw(data);
    return *this;
  }
  [[nodiscard]] const byte_vec& bytes() const { return w_.bytes(); }

 private:
  byte_writer w_;
};

class pcapng_builder {
 public:
  // One option of a block: its code and value (padded to 32 bits when written).
  struct option {
    std::uint16_t code;
    byte_vec value;
  };

  // Starts a section (call again for another section, possibly in the other byte order);
  // section_length -1 is "not given".
  pcapng_builder& section(bool big_endian, std::int64_t section_length = -1) {
    be_ = big_endian;
    byte_writer w(be_);
    w.u32(0x0A0D0D0A);
    w.u32(28);
    w.u32(0x1A2B3C4D);
    w.u16(1);
    w.u16(0);
    w.u64(static_cast<std::uint64_t>(section_length));
    w.u32(28);
    append(w);
    return *this;
  }
  // An Interface Description Block with the given options (opt_endofopt added).
  pcapng_builder& interface_with(std::uint16_t link_type, const std::vector<option>& options,
                                 std::uint32_t snaplen = 0) {
    byte_writer w(be_);
    w.u32(1);
    w.u32(0);
    w.u16(link_type);
    w.u16(0);
    w.u32(snaplen);
    write_options(w, options);
    finish(w);
    return *this;
  }
  // An Interface Description Block; tsresol < 0 leaves the option out, tsoffset 0 too.
  pcapng_builder& interface(std::uint16_t link_type, int tsresol = -1, std::int64_t tsoffset = 0,
                            std::uint32_t snaplen = 0) {
    byte_writer w(be_);
    w.u32(1);
    w.u32(0);  // length patched below
    w.u16(link_type);
    w.u16(0);
    w.u32(snaplen);
    if (tsresol >= 0) {
      w.u16(9);
      w.u16(1);
      w.u8(static_cast<std::uint8_t>(tsresol));
      w.pad4();
    }
    if (tsoffset != 0) {
      w.u16(14);
      w.u16(8);
      w.u64(static_cast<std::uint64_t>(tsoffset));
    }
    if (tsresol >= 0 || tsoffset != 0) {
      w.u16(0);
      w.u16(0);
    }
    finish(w);
    return *this;
  }
  pcapng_builder& epb(std::uint32_t iface, std::uint64_t ts, const byte_vec& data,
                      std::uint32_t origlen = 0, const std::vector<option>& options = {}) {
    byte_writer w(be_);
    w.u32(6);
    w.u32(0);
    w.u32(iface);
    w.u32(static_cast<std::uint32_t>(ts >> 32));
    w.u32(static_cast<std::uint32_t>(ts));
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.u32(origlen != 0 ? origlen : static_cast<std::uint32_t>(data.size()));
    w.raw(data);
    w.pad4();
    write_options(w, options);
    finish(w);
    return *this;
  }
  pcapng_builder& spb(const byte_vec& data) {
    byte_writer w(be_);
    w.u32(3);
    w.u32(0);
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.raw(data);
    w.pad4();
    finish(w);
    return *this;
  }
  // The obsolete Packet Block (type 2).
  pcapng_builder& pb(std::uint16_t iface, std::uint64_t ts, const byte_vec& data) {
    byte_writer w(be_);
    w.u32(2);
    w.u32(0);
    w.u16(iface);
    w.u16(0);  // drops count
    w.u32(static_cast<std::uint32_t>(ts >> 32));
    w.u32(static_cast<std::uint32_t>(ts));
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.raw(data);
    w.pad4();
    finish(w);
    return *this;
  }
  // Any other block type, e.g. an Interface Statistics Block (5) or a custom block.
  pcapng_builder& other(std::uint32_t type, const byte_vec& body) {
    byte_writer w(be_);
    w.u32(type);
    w.u32(0);
    w.raw(body);
    w.pad4();
    finish(w);
    return *this;
  }
  [[nodiscard]] const byte_vec& bytes() const { return out_; }
  byte_vec& bytes() { return out_; }

 private:
  void finish(byte_writer& w) {
    const auto len = static_cast<std::uint32_t>(w.size() + 4);
    w.u32(len);
    w.patch_u32(4, len);
    append(w);
  }
  static void write_options(byte_writer& w, const std::vector<option>& options) {
    if (options.empty()) return;
    for (const auto& o : options) {
      w.u16(o.code);
      w.u16(static_cast<std::uint16_t>(o.value.size()));
      w.raw(o.value);
      w.pad4();
    }
    w.u16(0);  // opt_endofopt
    w.u16(0);
  }
  void append(const byte_writer& w) { out_.insert(out_.end(), w.bytes().begin(), w.bytes().end()); }

  bool be_ = false;
  byte_vec out_;
};

}  // namespace ouiscan::testing
