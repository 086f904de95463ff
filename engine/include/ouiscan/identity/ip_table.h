// File: ip_table.h
// The identity stage's IP addresses: which IP addresses each MAC address used, where each
// binding was learned (capture::ip_source) and when. Filled per thread by the pipeline from the
// bindings the decoder finds, merged like the address tables (every fact merges commutatively).
//
//   identity::ip_table t;
//   t.record(binding, ts_ns);
//   for (const identity::ip_entry& e : t.of(mac)) print(e.text(), e.sources);
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "ouiscan/capture/decode.h"
#include "ouiscan/core/mac_address.h"

namespace ouiscan::identity {

struct ip_entry {
  std::array<std::uint8_t, 16> ip{};
  bool v6 = false;
  std::uint16_t sources = 0;  // bit (1 << capture::ip_source) per way it was learned
  std::uint64_t sightings = 0;
  std::int64_t first_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();

  [[nodiscard]] std::string text() const;  // dotted quad, or RFC 5952 IPv6
  [[nodiscard]] bool has_time() const noexcept {
    return first_ns != std::numeric_limits<std::int64_t>::max();
  }
  void merge(const ip_entry& o) noexcept;
};

class ip_table {
 public:
  // At most this many IP addresses are kept per MAC address and table; later ones are counted
  // in overflow(). A router's MAC address carries thousands.
  static constexpr std::size_t max_per_mac = 1024;

  ip_table() = default;
  ip_table(const ip_table&) = delete;  // recent_ points into by_mac_
  ip_table& operator=(const ip_table&) = delete;
  ip_table(ip_table&&) noexcept = default;
  ip_table& operator=(ip_table&&) noexcept = default;
  ~ip_table() = default;

  void record(const capture::ip_binding& b, std::int64_t ts_ns);
  void merge(const ip_table& o);
  [[nodiscard]] bool empty() const noexcept { return by_mac_.empty(); }

  // The IP addresses of one MAC address, earliest first seen first (then by address).
  [[nodiscard]] std::vector<ip_entry> of(core::mac_address mac) const;
  // Sightings of IP addresses not kept, past max_per_mac.
  [[nodiscard]] std::uint64_t overflow(core::mac_address mac) const;

 private:
  struct per_mac {
    std::vector<ip_entry> ips;  // in the order first recorded
    std::uint64_t overflow = 0;
  };
  ip_entry* find_or_add(per_mac& m, const std::array<std::uint8_t, 16>& ip, bool v6);

  std::unordered_map<std::uint64_t, per_mac> by_mac_;
  // The entries recorded lately, by a hash of MAC and IP: most frames repeat a recent pair.
  struct recent {
    std::uint64_t mac = ~std::uint64_t{0};
    std::array<std::uint8_t, 16> ip{};
    bool v6 = false;
    per_mac* owner = nullptr;  // a map node: it stays in place as the map grows
    std::size_t index = 0;
  };
  std::array<recent, 256> recent_{};
};

}  // namespace ouiscan::identity
