#include "datagen.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "ouiscan/capture/format.h"
#include "ouiscan/capture/writer.h"

namespace ouiscan::datagen {
namespace {

// The capture's bytes, written through capture::writer and sent to the file every few MB.
class sink {
 public:
  sink(std::FILE* out, bool big_endian) : out_(out), w_(big_endian) {
    w_.bytes().reserve(buffer_bytes + 65536);
  }
  capture::writer& w() { return w_; }
  bool flush_if_full() { return w_.size() < buffer_bytes || flush(); }
  bool flush() {
    const bool ok = std::fwrite(w_.bytes().data(), 1, w_.size(), out_) == w_.size();
    written_ += w_.size();
    w_.clear();
    return ok;
  }
  [[nodiscard]] std::uint64_t total() const { return written_ + w_.size(); }

 private:
  static constexpr std::size_t buffer_bytes = 4U << 20;
  std::FILE* out_;
  capture::writer w_;
  std::uint64_t written_ = 0;
};

// Host i's address: a universally administered unicast address in a made-up OUI block, so that
// every host is distinct and none is multicast.
void host_ip(std::uint32_t i, std::uint8_t* out) {
  out[0] = 10;
  out[1] = static_cast<std::uint8_t>(i >> 16);
  out[2] = static_cast<std::uint8_t>(i >> 8);
  out[3] = static_cast<std::uint8_t>(i);
}

void host_mac(std::uint32_t i, std::uint8_t* out) {
  const std::uint32_t oui = 0x00163E + (i >> 24);  // spills into the next OUI past 16M hosts
  out[0] = static_cast<std::uint8_t>(oui >> 16);
  out[1] = static_cast<std::uint8_t>(oui >> 8);
  out[2] = static_cast<std::uint8_t>(oui);
  out[3] = static_cast<std::uint8_t>(i >> 16);
  out[4] = static_cast<std::uint8_t>(i >> 8);
  out[5] = static_cast<std::uint8_t>(i);
}

// Writes the link-layer header of a frame from src to dst into out; returns its length. The
// EtherType (or 802.2 SNAP type) follows, written by the caller.
std::size_t link_header(link_kind kind, std::uint32_t src, std::uint32_t dst, bool to_broadcast,
                        std::uint8_t* out) {
  switch (kind) {
    case link_kind::ethernet:
      if (to_broadcast) {
        std::memset(out, 0xFF, 6);
      } else {
        host_mac(dst, out);
      }
      host_mac(src, out + 6);
      return 12;
    case link_kind::linux_sll: {
      const std::uint8_t fixed[] = {0x00, 0x04, 0x00,
                                    0x01, 0x00, 0x06};  // outgoing, ARPHRD_ETHER, 6
      std::memcpy(out, fixed, sizeof fixed);
      host_mac(src, out + 6);
      out[12] = 0;
      out[13] = 0;
      return 14;
    }
    case link_kind::radiotap: {
      const std::uint8_t radiotap[] = {0, 0, 8, 0, 0, 0, 0, 0};  // version 0, length 8, no fields
      std::memcpy(out, radiotap, sizeof radiotap);
      std::uint8_t* w = out + sizeof radiotap;
      w[0] = 0x08;  // data frame
      w[1] = 0x01;  // To DS: addr1 = BSSID (the first host stands for the access point)
      w[2] = 0;
      w[3] = 0;
      host_mac(0, w + 4);
      host_mac(src, w + 10);
      if (to_broadcast) {
        std::memset(w + 16, 0xFF, 6);
      } else {
        host_mac(dst, w + 16);
      }
      w[22] = 0;
      w[23] = 0;
      const std::uint8_t snap[] = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00};
      std::memcpy(w + 24, snap, sizeof snap);
      return sizeof radiotap + 24 + sizeof snap;
    }
  }
  return 0;
}

enum class identity_kind : std::uint8_t { dhcp, ndp, mdns, lldp };

// Appends bytes to a frame.
struct appender {
  std::uint8_t* f;
  std::size_t n;
  void u8(unsigned v) { f[n++] = static_cast<std::uint8_t>(v); }
  void u16(unsigned v) {
    u8(v >> 8);
    u8(v);
  }
  void bytes(const void* p, std::size_t len) {
    std::memcpy(f + n, p, len);
    n += len;
  }
  void zeros(std::size_t len) {
    std::memset(f + n, 0, len);
    n += len;
  }
  void mac(std::uint32_t host) {
    host_mac(host, f + n);
    n += 6;
  }
  void ip(std::uint32_t host) {
    host_ip(host, f + n);
    n += 4;
  }
};

// The EtherType and payload of a frame from host src in one of the protocols that name hosts,
// appended at a.n. The host's names are "host-<src>" and, for LLDP, "sw-<src>".
void identity_frame(identity_kind k, std::uint32_t src, appender& a) {
  const std::string name = (k == identity_kind::lldp ? "sw-" : "host-") + std::to_string(src);
  const auto ipv4_udp = [&](std::uint32_t from, const std::uint8_t* to, unsigned sport,
                            unsigned dport, std::size_t payload) {
    a.u16(0x0800);
    a.u16(0x4500);
    a.u16(static_cast<unsigned>(20 + 8 + payload));
    a.u16(0);
    a.u16(0);
    a.u16(0x4011);  // TTL 64, UDP
    a.u16(0);
    if (from == ~0U) {
      a.zeros(4);
    } else {
      a.ip(from);
    }
    a.bytes(to, 4);
    a.u16(sport);
    a.u16(dport);
    a.u16(static_cast<unsigned>(8 + payload));
    a.u16(0);
  };
  switch (k) {
    case identity_kind::dhcp: {  // DHCPREQUEST (RFC 2131), broadcast from 0.0.0.0
      static constexpr std::uint8_t broadcast[4] = {255, 255, 255, 255};
      static constexpr std::uint8_t list[] = {1,  3,  6,  15,  31,  33,  43,
                                              44, 46, 47, 119, 121, 249, 252};
      const std::size_t options = 3 + 6 + 2 + name.size() + 10 + 2 + sizeof list + 1;
      ipv4_udp(~0U, broadcast, 68, 67, 240 + options);
      a.u8(1);
      a.u8(1);
      a.u8(6);
      a.u8(0);
      a.u16(0x1234);
      a.u16(src);
      a.zeros(2 + 2 + 16);  // secs, flags, ciaddr, yiaddr, siaddr, giaddr
      a.mac(src);
      a.zeros(10 + 64 + 128);
      a.u16(0x6382);
      a.u16(0x5363);
      a.bytes("\x35\x01\x03", 3);  // a request
      a.u8(50);
      a.u8(4);
      a.ip(src);
      a.u8(12);
      a.u8(static_cast<unsigned>(name.size()));
      a.bytes(name.data(), name.size());
      a.bytes("\x3c\x08MSFT 5.0", 10);
      a.u8(55);
      a.u8(sizeof list);
      a.bytes(list, sizeof list);
      a.u8(255);
      return;
    }
    case identity_kind::ndp: {  // Neighbor Solicitation with a source link-layer option
      a.u16(0x86DD);
      a.u16(0x6000);
      a.u16(0);
      a.u16(32);
      a.u16(0x3AFF);  // ICMPv6, hop limit 255
      a.u16(0xFE80);
      a.zeros(10);
      a.u16(src >> 16);
      a.u16(src & 0xFFFF);  // fe80::<src>
      a.u16(0xFF02);
      a.zeros(8);
      a.u16(0x0001);
      a.u16(0xFF00 | ((src + 1) >> 16 & 0xFF));
      a.u16((src + 1) & 0xFFFF);  // the solicited-node address of the next host
      a.u8(135);
      a.u8(0);
      a.u16(0);
      a.zeros(4);
      a.u16(0xFE80);
      a.zeros(12);
      a.u16((src + 1) & 0xFFFF);
      a.u8(1);
      a.u8(1);
      a.mac(src);
      return;
    }
    case identity_kind::mdns: {  // an unsolicited response: <name>.local A <address>
      static constexpr std::uint8_t group[4] = {224, 0, 0, 251};
      const std::size_t payload = 12 + 1 + name.size() + 7 + 10 + 4;
      ipv4_udp(src, group, 5353, 5353, payload);
      a.u16(0);
      a.u16(0x8400);
      a.u16(0);
      a.u16(1);
      a.u16(0);
      a.u16(0);
      a.u8(static_cast<unsigned>(name.size()));
      a.bytes(name.data(), name.size());
      a.bytes("\x05local\x00", 7);
      a.u16(1);
      a.u16(0x8001);
      a.u16(0);
      a.u16(120);
      a.u16(4);
      a.ip(src);
      return;
    }
    case identity_kind::lldp: {
      const auto tlv = [&](unsigned type, std::size_t len) {
        a.u16(type << 9 | static_cast<unsigned>(len));
      };
      const std::string port = "Gi1/0/" + std::to_string(src % 48 + 1);
      a.u16(0x88CC);
      tlv(1, 7);
      a.u8(4);
      a.mac(src);
      tlv(2, 1 + port.size());
      a.u8(5);
      a.bytes(port.data(), port.size());
      tlv(3, 2);
      a.u16(120);
      tlv(5, name.size());
      a.bytes(name.data(), name.size());
      tlv(7, 4);
      a.u16(0x0014);
      a.u16(0x0014);
      tlv(0, 0);
      return;
    }
  }
}

// The multicast destination of each identity protocol (DHCP requests are broadcast).
void identity_destination(identity_kind k, std::uint8_t* out) {
  static constexpr std::uint8_t ndp[6] = {0x33, 0x33, 0xFF, 0, 0, 0};
  static constexpr std::uint8_t mdns[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB};
  static constexpr std::uint8_t lldp[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E};
  if (k == identity_kind::ndp) std::memcpy(out, ndp, 6);
  if (k == identity_kind::mdns) std::memcpy(out, mdns, 6);
  if (k == identity_kind::lldp) std::memcpy(out, lldp, 6);
}

}  // namespace

std::uint16_t linktype_of(link_kind k) noexcept {
  switch (k) {
    case link_kind::ethernet:
      return 1;
    case link_kind::linux_sll:
      return 113;
    case link_kind::radiotap:
      return 127;
  }
  return 1;
}

std::vector<link_kind> parse_links(const std::string& text) {
  std::vector<link_kind> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "ethernet") {
      out.push_back(link_kind::ethernet);
    } else if (item == "linux_sll") {
      out.push_back(link_kind::linux_sll);
    } else if (item == "radiotap") {
      out.push_back(link_kind::radiotap);
    } else {
      return {};
    }
  }
  return out;
}

std::vector<size_class> parse_sizes(const std::string& text) {
  std::vector<size_class> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto colon = item.find(':');
    try {
      const unsigned long bytes = std::stoul(item.substr(0, colon));
      const unsigned long weight =
          colon == std::string::npos ? 1 : std::stoul(item.substr(colon + 1));
      if (bytes < 14 || bytes > 65535 || weight == 0) return {};
      out.push_back({static_cast<std::uint32_t>(bytes), static_cast<std::uint32_t>(weight)});
    } catch (const std::exception&) {
      return {};
    }
  }
  return out;
}

summary write(const options& o, std::FILE* out) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  // Cumulative Zipf weights: host k is picked with probability proportional to 1/(k+1)^s.
  std::vector<double> cdf(std::max<std::uint32_t>(o.hosts, 2));
  double sum = 0;
  for (std::size_t k = 0; k < cdf.size(); ++k) {
    sum += 1.0 / std::pow(static_cast<double>(k + 1), o.zipf_s);
    cdf[k] = sum;
  }
  const auto pick_host = [&]() -> std::uint32_t {
    const double u = unit(rng) * sum;
    return static_cast<std::uint32_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  };
  std::vector<std::uint32_t> size_cdf;
  std::uint32_t weights = 0;
  for (const auto& c : o.sizes) size_cdf.push_back(weights += c.weight);
  const auto pick_size = [&]() -> std::uint32_t {
    const auto w = static_cast<std::uint32_t>(rng() % weights);
    const auto i = static_cast<std::size_t>(std::upper_bound(size_cdf.begin(), size_cdf.end(), w) -
                                            size_cdf.begin());
    return o.sizes[i].bytes;
  };
  std::vector<bool> seen(cdf.size(), false);

  sink s(out, o.big_endian);
  if (o.format == container::pcap) {
    s.w().pcap_header(linktype_of(o.links.front()), o.nanoseconds, o.snaplen);
  } else {
    s.w().section(o.big_endian);
    // One interface per link kind, with if_tsresol 9 (nanoseconds) when asked.
    std::vector<capture::writer::option> options;
    if (o.nanoseconds) options.push_back({capture::format::opt_if_tsresol, {std::byte{9}}});
    for (const link_kind k : o.links) s.w().interface(linktype_of(k), o.snaplen, options);
  }

  summary result;
  std::uint64_t ts_ns = 1'700'000'000ULL * 1'000'000'000ULL;
  std::uint8_t frame[65536 + 64];
  while (s.total() < o.target_bytes && (o.max_frames == 0 || result.frames < o.max_frames)) {
    const std::uint32_t src = pick_host();
    std::uint32_t dst = pick_host();
    const bool arp = unit(rng) < o.arp_share;
    const bool vlan = unit(rng) < o.vlan_share;
    const double named = o.identity_share > 0 && !arp ? unit(rng) / o.identity_share : 2;
    const bool identity = named < 1;
    const auto identity_of = [](double u) {
      return u < 0.1   ? identity_kind::dhcp
             : u < 0.5 ? identity_kind::ndp
             : u < 0.9 ? identity_kind::mdns
                       : identity_kind::lldp;
    };
    std::uint32_t wire = arp ? 60 : pick_size();
    seen[src] = true;
    if (!arp && !identity) seen[dst] = true;
    const std::size_t iface =
        o.format == container::pcapng && o.links.size() > 1 ? rng() % o.links.size() : 0;
    const link_kind kind = o.links[iface];
    std::size_t n = link_header(kind, src, dst, arp || identity, frame);
    if (identity && kind == link_kind::ethernet) identity_destination(identity_of(named), frame);
    wire += static_cast<std::uint32_t>(n) - 12;  // sizes are Ethernet sizes without the FCS
    if (vlan && kind == link_kind::ethernet) {
      const std::uint16_t vid = static_cast<std::uint16_t>(1 + src % 64);
      frame[n++] = 0x81;
      frame[n++] = 0x00;
      frame[n++] = static_cast<std::uint8_t>(vid >> 8);
      frame[n++] = static_cast<std::uint8_t>(vid);
      wire += 4;
    }
    if (identity) {
      const std::size_t link = n;
      appender a{frame, n};
      identity_frame(identity_of(named), src, a);
      n = a.n;
      wire = static_cast<std::uint32_t>(std::max<std::size_t>(n, 60 + link - 12));
      std::memset(frame + n, 0, wire - n);
      n = wire;
    } else {
      frame[n++] = 0x08;
      frame[n++] = arp ? 0x06 : 0x00;
    }
    if (identity) {
      // the whole frame is written
    } else if (arp) {
      const std::uint8_t fixed[] = {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01};
      std::memcpy(frame + n, fixed, sizeof fixed);
      n += sizeof fixed;
      host_mac(src, frame + n);
      n += 6;
      std::memset(frame + n, 0, 4 + 6 + 4);  // sender IP, target MAC (unknown), target IP
      if (o.ipv4) host_ip(src, frame + n);
      n += 14;
    } else if (o.ipv4 && wire >= n + 20) {
      // A 20-byte IPv4 header (UDP, no checksum), host to host.
      const auto total = static_cast<std::uint16_t>(wire - n);
      const std::uint8_t header[12] = {0x45,
                                       0,
                                       static_cast<std::uint8_t>(total >> 8),
                                       static_cast<std::uint8_t>(total),
                                       0,
                                       0,
                                       0x40,
                                       0,
                                       64,
                                       17,
                                       0,
                                       0};
      std::memcpy(frame + n, header, sizeof header);
      host_ip(src, frame + n + 12);
      host_ip(dst, frame + n + 16);
      std::memset(frame + n + 20, 0, wire - n - 20);
      n = wire;
    }
    if (wire > n) std::memset(frame + n, 0, wire - n);
    const std::uint32_t caplen = std::min(wire, o.snaplen);
    ts_ns += 1000 + rng() % 20'000;  // 1-21 us between frames
    const capture::writer::data bytes(reinterpret_cast<const std::byte*>(frame), caplen);
    if (o.format == container::pcap) {
      s.w().pcap_record(static_cast<std::uint32_t>(ts_ns / 1'000'000'000),
                        static_cast<std::uint32_t>(o.nanoseconds ? ts_ns % 1'000'000'000
                                                                 : ts_ns % 1'000'000'000 / 1000),
                        bytes, wire);
    } else {
      s.w().enhanced_packet(static_cast<std::uint32_t>(iface), o.nanoseconds ? ts_ns : ts_ns / 1000,
                            bytes, wire);
    }
    ++result.frames;
    if (!s.flush_if_full()) return {};
  }
  if (!s.flush()) return {};
  result.bytes = s.total();
  result.distinct_hosts = static_cast<std::uint64_t>(std::count(seen.begin(), seen.end(), true));
  return result;
}

}  // namespace ouiscan::datagen
