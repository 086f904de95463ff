#include "ouiscan/identity/ip_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <tuple>

namespace ouiscan::identity {

std::string ip_text(const std::uint8_t* ip, bool v6) {
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

std::size_t ip_table::key_hash::operator()(const key& k) const noexcept {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, k.ip.data(), sizeof a);
  std::memcpy(&b, k.ip.data() + 8, sizeof b);
  std::uint64_t h = (k.mac ^ (k.v6 ? 0x5555'5555'5555'5555ULL : 0)) * 0x9E3779B97F4A7C15ULL;
  h ^= a * 0xC2B2AE3D27D4EB4FULL;
  h ^= b * 0x165667B19E3779F9ULL;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

std::size_t ip_table::find_or_add(std::uint64_t mac, const std::array<std::uint8_t, 16>& ip,
                                  bool v6) {
  const key k{mac, ip, v6};
  if (const auto it = index_.find(k); it != index_.end()) return it->second;
  per_mac& m = macs_[mac];
  if (m.count >= max_per_mac) return npos;
  ++m.count;
  const std::size_t i = hot_.size();
  index_.emplace(k, static_cast<std::uint32_t>(i));
  hot& h = hot_.emplace_back();
  h.sources = v6 ? v6_bit : 0;
  std::memcpy(&h.ip4, ip.data(), sizeof h.ip4);
  stored& s = entries_.emplace_back();
  s.mac = mac;
  s.e.ip = ip;
  s.e.v6 = v6;
  return i;
}

void ip_table::add(std::size_t i, const ip_entry& o) noexcept {
  ip_entry e = entry(i);
  e.merge(o);
  hot& h = hot_[i];
  h.sources = static_cast<std::uint16_t>(e.sources | (h.sources & v6_bit));
  h.sightings = static_cast<std::uint16_t>(e.sightings);
  h.last_ns = e.last_ns;
  entries_[i].e.sightings = e.sightings & ~std::uint64_t{0xFFFF};
  entries_[i].e.first_ns = e.first_ns;
}

void ip_table::record_slow(const capture::ip_binding& b, std::int64_t ts_ns, std::uint32_t& hint) {
  const std::size_t i = find_or_add(b.mac.value(), b.ip, b.v6);
  if (i == npos) {
    ++macs_[b.mac.value()].overflow;
    return;
  }
  ip_entry one;
  one.sources = static_cast<std::uint16_t>(1U << static_cast<unsigned>(b.source));
  one.sightings = 1;
  if (ts_ns != std::numeric_limits<std::int64_t>::min()) one.first_ns = one.last_ns = ts_ns;
  add(i, one);
  hint = static_cast<std::uint32_t>(i) + 1;
}

void ip_table::merge(const ip_table& o) {
  for (const auto& [mac, theirs] : o.macs_) {
    if (theirs.overflow != 0) macs_[mac].overflow += theirs.overflow;
  }
  for (std::size_t j = 0; j < o.entries_.size(); ++j) {
    const ip_entry x = o.entry(j);
    const std::uint64_t mac = o.entries_[j].mac;
    const std::size_t i = find_or_add(mac, x.ip, x.v6);
    if (i == npos) {
      macs_[mac].overflow += x.sightings;
    } else {
      add(i, x);
    }
  }
}

void ip_table::merge(ip_table&& o) {
  if (hot_.empty() && macs_.empty()) {
    *this = std::move(o);
    return;
  }
  merge(static_cast<const ip_table&>(o));
}

void ip_table::restore(core::mac_address mac, const ip_entry& e) {
  const std::size_t i = find_or_add(mac.value(), e.ip, e.v6);
  if (i == npos) {
    macs_[mac.value()].overflow += e.sightings;
  } else {
    add(i, e);
  }
}

void ip_table::restore_overflow(core::mac_address mac, std::uint64_t sightings) {
  if (sightings != 0) macs_[mac.value()].overflow += sightings;
}

void ip_table::seal() {
  std::vector<std::uint32_t> order(entries_.size());
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  // One sort for every address, in the order of() lists an address's entries: earliest first
  // seen first, IPv4 before IPv6, then by address.
  const auto key_of = [this](std::uint32_t i) {
    const stored& s = entries_[i];
    return std::tie(s.mac, s.e.first_ns, s.e.v6, s.e.ip);
  };
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return key_of(a) < key_of(b); });
  sealed_.clear();
  sealed_.reserve(order.size());
  for (const std::uint32_t i : order) sealed_.push_back(entry(i));
  // Every address with entries is in macs_, so walking both in MAC order finds each one's run.
  std::vector<std::pair<std::uint64_t, per_mac>> macs(macs_.begin(), macs_.end());
  std::sort(macs.begin(), macs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  sealed_macs_.clear();
  sealed_at_.clear();
  std::uint32_t start = 0;
  for (auto& [mac, m] : macs) {
    m.start = start;
    start += m.count;
    sealed_macs_.push_back(mac);
    sealed_at_.push_back(m);
  }
}

const ip_table::per_mac* ip_table::sealed_of(core::mac_address mac) const noexcept {
  // A branch-free binary search: its steps are each a load, not a mispredicted branch.
  const std::uint64_t* base = sealed_macs_.data();
  std::size_t n = sealed_macs_.size();
  if (n == 0) return nullptr;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = base[half - 1] < mac.value() ? base + half : base;
    n -= half;
  }
  if (*base != mac.value()) return nullptr;
  return &sealed_at_[static_cast<std::size_t>(base - sealed_macs_.data())];
}

std::span<const ip_entry> ip_table::of(core::mac_address mac) const {
  const per_mac* m = sealed_of(mac);
  if (m == nullptr) return {};
  return std::span<const ip_entry>(sealed_).subspan(m->start, m->count);
}

std::uint64_t ip_table::overflow(core::mac_address mac) const {
  if (sealed_macs_.size() == macs_.size()) {
    const per_mac* m = sealed_of(mac);
    return m == nullptr ? 0 : m->overflow;
  }
  const auto it = macs_.find(mac.value());
  return it == macs_.end() ? 0 : it->second.overflow;
}

bool ip_anomalies::has(const std::vector<std::uint64_t>& v, core::mac_address m) {
  return std::binary_search(v.begin(), v.end(), m.value());
}

ip_anomalies ip_table::anomalies() const {
  struct row {
    std::uint32_t ip;
    std::uint64_t mac;
    ip_entry e;
  };
  std::vector<row> claims;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const ip_entry e = entry(i);
    if (e.v6 || (e.sources & claim_sources) == 0) continue;
    const std::uint32_t ip = std::uint32_t{e.ip[0]} << 24 | std::uint32_t{e.ip[1]} << 16 |
                             std::uint32_t{e.ip[2]} << 8 | e.ip[3];
    claims.push_back({ip, entries_[i].mac, e});
  }
  ip_anomalies out;
  const auto group = [&](auto by, auto on_group) {
    std::sort(claims.begin(), claims.end(), [&](const row& a, const row& b) {
      return std::tuple(by(a), a.mac, a.ip) < std::tuple(by(b), b.mac, b.ip);
    });
    for (std::size_t i = 0; i < claims.size();) {
      std::size_t j = i;
      while (j < claims.size() && by(claims[j]) == by(claims[i])) ++j;
      if (j - i > 1) on_group(i, j);
      i = j;
    }
  };
  group([](const row& r) { return std::uint64_t{r.ip}; },
        [&](std::size_t i, std::size_t j) {
          ip_conflict c;
          std::copy_n(claims[i].e.ip.begin(), 4, c.ip.begin());
          for (std::size_t k = i; k < j; ++k) {
            c.claims.push_back(
                {core::mac_address(claims[k].mac), claims[k].e.first_ns, claims[k].e.last_ns});
            out.in_conflict.push_back(claims[k].mac);
          }
          std::sort(c.claims.begin(), c.claims.end(), [](const ip_claim& a, const ip_claim& b) {
            return a.mac.value() < b.mac.value();
          });
          out.conflicts.push_back(std::move(c));
        });
  group([](const row& r) { return r.mac; },
        [&](std::size_t i, std::size_t) { out.changed.push_back(claims[i].mac); });
  std::sort(out.in_conflict.begin(), out.in_conflict.end());
  out.in_conflict.erase(std::unique(out.in_conflict.begin(), out.in_conflict.end()),
                        out.in_conflict.end());
  return out;
}

}  // namespace ouiscan::identity
