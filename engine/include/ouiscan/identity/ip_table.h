// File: ip_table.h
// The identity stage's IP addresses: which IP addresses each MAC address used, where each
// binding was learned (capture::ip_source) and when. Filled per thread by the pipeline from the
// bindings the decoder finds, merged like the address tables (every fact merges commutatively).
//
//   identity::ip_table t;
//   t.record(binding, ts_ns, hint);   // hint: a 32-bit slot the caller keeps per MAC address
//   t.seal();
//   for (const identity::ip_entry& e : t.of(mac)) print(e.text(), e.sources);
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ouiscan/capture/decode.h"
#include "ouiscan/core/mac_address.h"

namespace ouiscan::identity {

// An IP address as text: the dotted quad, or IPv6 as RFC 5952 writes it.
[[nodiscard]] std::string ip_text(const std::uint8_t* ip, bool v6);

struct ip_entry {
  std::array<std::uint8_t, 16> ip{};
  bool v6 = false;
  std::uint16_t sources = 0;  // bit (1 << capture::ip_source) per way it was learned
  std::uint64_t sightings = 0;
  std::int64_t first_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();

  [[nodiscard]] std::string text() const { return ip_text(ip.data(), v6); }
  [[nodiscard]] bool has_time() const noexcept {
    return first_ns != std::numeric_limits<std::int64_t>::max();
  }
  void merge(const ip_entry& o) noexcept;
};

// Who claimed an IPv4 address, and when: a MAC address that announced it as its own (ARP
// sender, DHCP ACK or ciaddr).
struct ip_claim {
  core::mac_address mac;
  std::int64_t first_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
};
struct ip_conflict {
  std::array<std::uint8_t, 16> ip{};  // IPv4 in the first 4 bytes
  std::vector<ip_claim> claims;       // two or more, by MAC address
};
// What the claims say, as arpwatch would: addresses claimed by several MAC addresses, and MAC
// addresses that claimed several addresses (an address change, or a host with aliases).
struct ip_anomalies {
  std::vector<ip_conflict> conflicts;      // by IP address
  std::vector<std::uint64_t> in_conflict;  // the MAC addresses of the conflicts, sorted
  std::vector<std::uint64_t> changed;      // MAC addresses with several claims, sorted
  [[nodiscard]] static bool has(const std::vector<std::uint64_t>& v, core::mac_address m);
};
// The binding sources that count as a claim.
inline constexpr std::uint16_t claim_sources =
    1U << static_cast<unsigned>(capture::ip_source::arp) |
    1U << static_cast<unsigned>(capture::ip_source::dhcp_ack) |
    1U << static_cast<unsigned>(capture::ip_source::dhcp_client);

class ip_table {
 public:
  // At most this many IP addresses are kept per MAC address and table; later ones are counted
  // in overflow(). A router's MAC address carries thousands.
  static constexpr std::size_t max_per_mac = 1024;

  // Records one binding. `hint` is the caller's slot for the binding's MAC address (0 at
  // first; one slot per MAC address, never shared): it remembers the entry that address bound
  // last, so that the frames of a host, which repeat one binding, find it without a lookup.
  void record(const capture::ip_binding& b, std::int64_t ts_ns, std::uint32_t& hint) {
    if (hint != 0 && hint <= hot_.size()) {
      hot& h = hot_[hint - 1];
      std::uint32_t first4 = 0;
      std::memcpy(&first4, b.ip.data(), sizeof first4);
      // The slot is the MAC address's own, so the entry's MAC address needs no check.
      if (h.ip4 == first4 && ((h.sources & v6_bit) != 0) == b.v6 &&
          (!b.v6 || entries_[hint - 1].e.ip == b.ip)) {
        h.sources = static_cast<std::uint16_t>(h.sources | 1U << static_cast<unsigned>(b.source));
        if (++h.sightings == 0) [[unlikely]] {
          entries_[hint - 1].e.sightings += std::uint64_t{1} << 16;  // the carry
        }
        constexpr std::int64_t untimed = std::numeric_limits<std::int64_t>::min();
        if (ts_ns >= h.last_ns && h.last_ns != untimed) {
          h.last_ns = ts_ns;  // in time order: the first sighting stays as it is
        } else if (ts_ns != untimed) {
          std::int64_t& first = entries_[hint - 1].e.first_ns;
          first = ts_ns < first ? ts_ns : first;
          h.last_ns = ts_ns > h.last_ns ? ts_ns : h.last_ns;
        }
        return;
      }
    }
    record_slow(b, ts_ns, hint);
  }
  // Asks for the entry a hint names, ahead of record().
  void prefetch(std::uint32_t hint) const noexcept {
    // One unsigned test for 0 < hint <= size: GCC 12 silently drops the prefetch when the test
    // is written as two comparisons.
    const std::size_t i = std::size_t{hint} - 1;
    if (i < hot_.size()) __builtin_prefetch(hot_.data() + i, 1);
  }
  void record(const capture::ip_binding& b, std::int64_t ts_ns) {
    std::uint32_t hint = 0;
    record(b, ts_ns, hint);
  }
  void merge(const ip_table& o);
  // The same, but an empty table takes o's entries instead of copying them.
  void merge(ip_table&& o);
  // Adds what a JSON result says of one binding, or of a MAC address's sightings not kept
  // (`ouiscan merge`), as merge() adds another table's.
  void restore(core::mac_address mac, const ip_entry& e);
  void restore_overflow(core::mac_address mac, std::uint64_t sightings);
  [[nodiscard]] bool empty() const noexcept { return hot_.empty(); }

  // Lays the entries out by MAC address, each address's as of() lists them, so that a report
  // finds an address's list with a search of one sorted array and reads it in one run; call
  // once the table is complete (of() lists nothing before).
  void seal();
  // The IP addresses of one MAC address, earliest first seen first (then by address); valid
  // while the table is.
  [[nodiscard]] std::span<const ip_entry> of(core::mac_address mac) const;
  // Sightings of IP addresses not kept, past max_per_mac.
  [[nodiscard]] std::uint64_t overflow(core::mac_address mac) const;
  [[nodiscard]] ip_anomalies anomalies() const;

 private:
  // An entry in two parts. What every sighting updates is in `hot` (four per cache line, so
  // that a host's binding adds little to the lines a frame touches; for an IPv4 binding it also
  // confirms the hint); the rest in `stored`, whose sightings are the carries of hot's 16-bit
  // count and whose sources and last_ns are hot's (entry() puts them together).
  static constexpr std::uint16_t v6_bit = 0x8000;  // in hot::sources
  static_assert(static_cast<unsigned>(capture::ip_source::count_) <= 15);
  struct alignas(16) hot {
    std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
    std::uint32_t ip4 = 0;      // the first 4 bytes of the IP address
    std::uint16_t sources = 0;  // and v6_bit for an IPv6 binding
    std::uint16_t sightings = 0;
  };
  static_assert(sizeof(hot) == 16);
  struct stored {
    std::uint64_t mac;
    ip_entry e;
  };
  [[nodiscard]] ip_entry entry(std::size_t i) const noexcept {
    ip_entry e = entries_[i].e;
    e.sources = static_cast<std::uint16_t>(hot_[i].sources & ~v6_bit);
    e.sightings += hot_[i].sightings;
    e.last_ns = hot_[i].last_ns;
    return e;
  }
  struct key {
    std::uint64_t mac;
    std::array<std::uint8_t, 16> ip;
    bool v6;
    bool operator==(const key&) const = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const noexcept;
  };
  struct per_mac {
    std::uint32_t count = 0;  // entries
    std::uint32_t start = 0;  // where they start in sealed_, once seal() ran
    std::uint64_t overflow = 0;
  };
  void record_slow(const capture::ip_binding& b, std::int64_t ts_ns, std::uint32_t& hint);
  // The index of the entry for (mac, ip), added if the address has room; npos past max_per_mac.
  static constexpr std::size_t npos = ~std::size_t{0};
  std::size_t find_or_add(std::uint64_t mac, const std::array<std::uint8_t, 16>& ip, bool v6);
  // Adds a sighting, or another table's entry, to entry i.
  void add(std::size_t i, const ip_entry& o) noexcept;
  // The sealed record of a MAC address; null if it has none or the table is not sealed.
  [[nodiscard]] const per_mac* sealed_of(core::mac_address mac) const noexcept;

  std::vector<hot> hot_;         // in the order first recorded; indexes stay valid
  std::vector<stored> entries_;  // the same entries' other parts

  std::unordered_map<key, std::uint32_t, key_hash> index_;
  std::unordered_map<std::uint64_t, per_mac> macs_;
  // Once sealed: the MAC addresses in order, each one's per_mac, and the entries they list.
  std::vector<std::uint64_t> sealed_macs_;
  std::vector<per_mac> sealed_at_;
  std::vector<ip_entry> sealed_;
};

}  // namespace ouiscan::identity
