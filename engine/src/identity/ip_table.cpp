#include "ouiscan/identity/ip_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace ouiscan::identity {

std::string ip_entry::text() const {
  if (!v6) return fmt::format("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
  // RFC 5952: lowercase hex groups without leading zeros, the longest run of two or more zero
  // groups (the first of equals) as "::".
  std::array<unsigned, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) g[i] = unsigned{ip[2 * i]} << 8 | ip[2 * i + 1];
  std::size_t best = 8, best_len = 0;
  for (std::size_t i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    fmt::format_to(std::back_inserter(out), "{:x}", g[i]);
  }
  return out;
}

void ip_entry::merge(const ip_entry& o) noexcept {
  sources = static_cast<std::uint16_t>(sources | o.sources);
  sightings += o.sightings;
  first_ns = std::min(first_ns, o.first_ns);
  last_ns = std::max(last_ns, o.last_ns);
}

ip_entry* ip_table::find_or_add(per_mac& m, const std::array<std::uint8_t, 16>& ip, bool v6) {
  for (ip_entry& e : m.ips) {
    if (e.v6 == v6 && e.ip == ip) return &e;
  }
  if (m.ips.size() >= max_per_mac) return nullptr;
  ip_entry& e = m.ips.emplace_back();
  e.ip = ip;
  e.v6 = v6;
  return &e;
}

void ip_table::record(const capture::ip_binding& b, std::int64_t ts_ns) {
  const std::uint64_t mac = b.mac.value();
  std::uint64_t h = mac * 0x9E3779B97F4A7C15ULL;
  std::uint64_t word = 0;
  std::memcpy(&word, b.ip.data(), sizeof word);
  h ^= word * 0xC2B2AE3D27D4EB4FULL;
  std::memcpy(&word, b.ip.data() + 8, sizeof word);
  h ^= word * 0x165667B19E3779F9ULL;
  recent& r = recent_[(h >> 56) & (recent_.size() - 1)];
  ip_entry* e = nullptr;
  if (r.mac == mac && r.v6 == b.v6 && r.ip == b.ip) {
    e = &r.owner->ips[r.index];
  } else {
    per_mac& m = by_mac_[mac];
    e = find_or_add(m, b.ip, b.v6);
    if (e == nullptr) {
      ++m.overflow;
      return;
    }
    r = {mac, b.ip, b.v6, &m, static_cast<std::size_t>(e - m.ips.data())};
  }
  e->sources = static_cast<std::uint16_t>(e->sources | 1U << static_cast<unsigned>(b.source));
  ++e->sightings;
  if (ts_ns != std::numeric_limits<std::int64_t>::min()) {
    e->first_ns = std::min(e->first_ns, ts_ns);
    e->last_ns = std::max(e->last_ns, ts_ns);
  }
}

void ip_table::merge(const ip_table& o) {
  for (const auto& [mac, theirs] : o.by_mac_) {
    per_mac& mine = by_mac_[mac];
    mine.overflow += theirs.overflow;
    for (const ip_entry& x : theirs.ips) {
      ip_entry* e = find_or_add(mine, x.ip, x.v6);
      if (e == nullptr) {
        mine.overflow += x.sightings;
      } else {
        e->merge(x);
      }
    }
  }
}

std::vector<ip_entry> ip_table::of(core::mac_address mac) const {
  const auto it = by_mac_.find(mac.value());
  if (it == by_mac_.end()) return {};
  std::vector<ip_entry> out = it->second.ips;
  std::sort(out.begin(), out.end(), [](const ip_entry& a, const ip_entry& b) {
    if (a.first_ns != b.first_ns) return a.first_ns < b.first_ns;
    if (a.v6 != b.v6) return !a.v6;
    return a.ip < b.ip;
  });
  return out;
}

std::uint64_t ip_table::overflow(core::mac_address mac) const {
  const auto it = by_mac_.find(mac.value());
  return it == by_mac_.end() ? 0 : it->second.overflow;
}

}  // namespace ouiscan::identity
