// File: datagen.h
// A deterministic generator of synthetic captures for benchmarks and tests: the same options and
// seed give the same bytes. Traffic is IMIX-like by default, between `hosts` stations whose
// activity follows a Zipf law, with a share of 802.1Q-tagged frames.
//
//   datagen::options o;
//   o.target_bytes = 200 << 20;
//   datagen::write(o, file);   // streams, never holds the capture in memory
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ouiscan::datagen {

enum class container : std::uint8_t { pcap, pcapng };

// Link types the generator writes: Ethernet (1), Linux cooked v1 (113), 802.11 data frames
// behind a minimal radiotap header (127).
enum class link_kind : std::uint8_t { ethernet, linux_sll, radiotap };
[[nodiscard]] std::uint16_t linktype_of(link_kind k) noexcept;

struct size_class {
  std::uint32_t bytes;   // frame length on the wire, without FCS
  std::uint32_t weight;  // relative frequency
};

struct options {
  std::uint64_t seed = 1;
  std::uint64_t target_bytes = 64ULL << 20;  // stop once the file reaches this size
  std::uint64_t max_frames = 0;              // 0: no limit
  std::uint32_t hosts = 20'000;
  double zipf_s = 1.0;      // skew of host activity (0: uniform)
  double vlan_share = 0.1;  // fraction of frames with an 802.1Q tag
  double arp_share = 0.01;  // fraction of frames that are ARP requests
  // IPv4 headers (host k is 10.k/24-style: 10.(k >> 16).(k >> 8).k) in the non-ARP frames and
  // ARP sender addresses, so that the identity stage binds them; off: zero payloads.
  bool ipv4 = false;
  // A fraction of frames from the protocols that name hosts (the identity stage's input): DHCP
  // requests with a host name, vendor class and parameter list (10% of them), IPv6 Neighbor
  // Solicitations (40%), mDNS responses with an A record (40%) and LLDP (10%). Implies ipv4.
  double identity_share = 0;
  std::uint32_t snaplen = 65535;  // captured bytes per frame at most
  container format = container::pcap;
  // One interface per entry; frames are spread over them at random. pcap takes only one.
  std::vector<link_kind> links = {link_kind::ethernet};
  bool nanoseconds = false;
  bool big_endian = false;
  std::vector<size_class> sizes = {{64, 7}, {576, 4}, {1500, 1}};  // simple IMIX
};

struct summary {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;           // bytes written
  std::uint64_t distinct_hosts = 0;  // hosts that appeared at least once
};

// Writes the capture to out; returns what was written (bytes == 0 on a write error).
summary write(const options& o, std::FILE* out);

// Parses "ethernet,linux_sll,radiotap" into link kinds; empty on an unknown name.
std::vector<link_kind> parse_links(const std::string& text);

// Parses "64:7,576:4,1500:1" into size classes; empty on a malformed list.
std::vector<size_class> parse_sizes(const std::string& text);

}  // namespace ouiscan::datagen
