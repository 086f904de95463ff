#include "ouiscan/identity/name_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>

#include "ouiscan/identity/ip_table.h"
#include "ouiscan/text/json.h"

namespace ouiscan::identity {

namespace {

using core::u8;

std::string mac_text(const std::byte* p) { return core::mac_address::from_bytes(p).to_string(); }

std::string ip_at(const std::byte* p, bool v6) {
  return ip_text(reinterpret_cast<const std::uint8_t*>(p), v6);
}

// A DNS name (RFC 1035 4.1.4) at `at` in `m`: labels joined with dots, compression pointers
// followed (at most 16). A label that runs past the message ends the name.
std::string dns_name(core::bytes m, std::size_t at) {
  std::string out;
  for (int jumps = 0; at < m.size() && out.size() < 1024;) {
    const std::size_t len = u8(m.data() + at);
    if ((len & 0xC0U) == 0xC0U) {
      if (at + 1 >= m.size() || ++jumps > 16) break;
      at = (len & 0x3FU) << 8 | u8(m.data() + at + 1);
      continue;
    }
    if (len == 0 || len > 63 || at + 1 + len > m.size()) break;
    if (!out.empty()) out += '.';
    out +=
        text::clean_name(std::string_view(reinterpret_cast<const char*>(m.data() + at + 1), len));
    at += 1 + len;
  }
  return out;
}

// NetBIOS first-level encoding (RFC 1001 14.1): each byte as two letters 'A'-'P'. The 16th
// byte is the name's suffix, shown as Wireshark shows it: "NAME<1c>".
std::string nbns_text(std::string_view raw) {
  std::string name;
  for (std::size_t i = 0; i + 1 < raw.size(); i += 2) {
    const unsigned hi = static_cast<unsigned char>(raw[i]) - 'A';
    const unsigned lo = static_cast<unsigned char>(raw[i + 1]) - 'A';
    if (hi > 15 || lo > 15) return text::clean_name(raw);
    name += static_cast<char>(hi << 4 | lo);
  }
  if (name.size() != 16) return text::clean_name(raw);
  const unsigned suffix = static_cast<unsigned char>(name[15]);
  name.resize(15);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return fmt::format("{}<{:02x}>", text::clean_name(name), suffix);
}

// A network address as LLDP gives it (RFC 3232 address family, then the address).
std::string lldp_address(core::bytes v) {
  if (v.size() == 5 && u8(v.data()) == 1) return ip_at(v.data() + 1, false);
  if (v.size() == 17 && u8(v.data()) == 2) return ip_at(v.data() + 1, true);
  if (v.size() == 7 && u8(v.data()) == 6) return mac_text(v.data() + 1);
  std::string out;
  for (const std::byte b : v) fmt::format_to(std::back_inserter(out), "{:02x}", u8(&b));
  return out;
}

std::string lldp_capabilities(core::bytes v) {
  static constexpr std::array<const char*, 11> names = {
      "other",  "repeater",  "bridge", "wlan_access_point",
      "router", "telephone", "docsis", "station_only",
      "c_vlan", "s_vlan",    "tpmr"};
  if (v.size() < 4) return {};
  const unsigned enabled = core::load_be<std::uint16_t>(v.data() + 2);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if ((enabled & (1U << i)) == 0) continue;
    if (!out.empty()) out += ',';
    out += names[i];
  }
  return out;
}

// "outer source > outer destination", then the tunnel's identifier when it has one.
std::string tunnel_text(capture::name_kind kind, core::bytes outer, core::bytes header) {
  std::string out;
  if (kind == capture::name_kind::tunnel_pbb) {
    if (outer.size() < 12) return {};
    out = mac_text(outer.data() + 6) + " > " + mac_text(outer.data());
    if (header.size() >= 4) {
      fmt::format_to(std::back_inserter(out), " isid {}",
                     core::load_be<std::uint32_t>(header.data()) & 0xFF'FFFFU);
    }
    return out;
  }
  if (outer.size() >= 20 && u8(outer.data()) >> 4 == 4) {
    out = ip_at(outer.data() + 12, false) + " > " + ip_at(outer.data() + 16, false);
  } else if (outer.size() >= 40 && u8(outer.data()) >> 4 == 6) {
    out = ip_at(outer.data() + 8, true) + " > " + ip_at(outer.data() + 24, true);
  } else {
    return {};
  }
  const auto id = [&](const char* what, std::uint32_t v) {
    fmt::format_to(std::back_inserter(out), " {} {}", what, v);
  };
  if ((kind == capture::name_kind::tunnel_vxlan || kind == capture::name_kind::tunnel_geneve) &&
      header.size() >= 8) {
    id("vni", core::load_be<std::uint32_t>(header.data() + 4) >> 8);
  } else if (kind == capture::name_kind::tunnel_gre && header.size() >= 4) {
    const unsigned flags = core::load_be<std::uint16_t>(header.data());
    const std::size_t key = (flags & 0x8000U) != 0 ? 8 : 4;
    if ((flags & 0x2000U) != 0 && header.size() >= key + 4) {
      id("key", core::load_be<std::uint32_t>(header.data() + key));
    }
  } else if (kind == capture::name_kind::tunnel_erspan && header.size() >= 4) {
    id("session", core::load_be<std::uint16_t>(header.data() + 2) & 0x3FFU);
  }
  return out;
}

}  // namespace

std::string name_text(capture::name_kind kind, core::bytes value, core::bytes context) {
  using capture::name_kind;
  const std::string_view raw(reinterpret_cast<const char*>(value.data()), value.size());
  switch (kind) {
    case name_kind::dhcp_parameter_list: {
      std::string out;
      for (const std::byte b : value) {
        if (!out.empty()) out += ',';
        out += std::to_string(std::to_integer<unsigned>(b));
      }
      return out;
    }
    case name_kind::dhcp_fqdn_wire:
      return dns_name(value, 0);
    case name_kind::mdns_hostname:
    case name_kind::mdns_service:
      if (value.data() < context.data() || value.data() >= context.data() + context.size()) {
        return {};
      }
      return dns_name(context, static_cast<std::size_t>(value.data() - context.data()));
    case name_kind::nbns_name:
      return nbns_text(raw);
    case name_kind::lldp_chassis_id:
    case name_kind::lldp_port_id: {
      // Subtypes: chassis 4 / port 3 a MAC address, chassis 5 / port 4 a network address.
      if (value.empty()) return {};
      const unsigned subtype = u8(value.data());
      const bool chassis = kind == name_kind::lldp_chassis_id;
      if (subtype == (chassis ? 4U : 3U) && value.size() == 7) return mac_text(value.data() + 1);
      if (subtype == (chassis ? 5U : 4U)) return lldp_address(value.subspan(1));
      return text::clean_name(raw.substr(1));
    }
    case name_kind::lldp_capabilities:
      return lldp_capabilities(value);
    case name_kind::lldp_management_address: {
      if (value.empty()) return {};
      const std::size_t len = u8(value.data());
      if (len == 0 || 1 + len > value.size()) return {};
      return lldp_address(value.subspan(1, len));
    }
    case name_kind::tunnel_vxlan:
    case name_kind::tunnel_geneve:
    case name_kind::tunnel_gre:
    case name_kind::tunnel_erspan:
    case name_kind::tunnel_pbb:
      return tunnel_text(kind, value, context);
    default:
      return text::clean_name(raw);
  }
}

void name_table::add(per_mac& m, name_entry e) {
  for (name_entry& x : m.names) {
    if (x.kind == e.kind && x.text == e.text) {
      x.sightings += e.sightings;
      x.first_ns = std::min(x.first_ns, e.first_ns);
      x.last_ns = std::max(x.last_ns, e.last_ns);
      return;
    }
  }
  if (m.names.size() >= max_per_mac) {
    m.not_kept += e.sightings;
    return;
  }
  m.names.push_back(std::move(e));
}

void name_table::record(std::span<const capture::name_hit> hits, std::int64_t ts_ns) {
  per_mac* m = nullptr;
  std::uint64_t mac = 0;
  for (const capture::name_hit& hit : hits) {
    name_entry e;
    // The two spellings of an FQDN are one kind of name.
    e.kind =
        hit.kind == capture::name_kind::dhcp_fqdn_wire ? capture::name_kind::dhcp_fqdn : hit.kind;
    e.text = name_text(hit.kind, hit.value, hit.context);
    if (e.text.empty()) continue;
    e.sightings = 1;
    if (ts_ns != std::numeric_limits<std::int64_t>::min()) e.first_ns = e.last_ns = ts_ns;
    if (m == nullptr || hit.mac.value() != mac) {
      mac = hit.mac.value();
      m = &by_mac_[mac];
    }
    add(*m, std::move(e));
  }
}

void name_table::merge(const name_table& o) {
  for (const auto& [mac, theirs] : o.by_mac_) {
    per_mac& mine = by_mac_[mac];
    mine.not_kept += theirs.not_kept;
    for (const name_entry& e : theirs.names) add(mine, e);
  }
}

void name_table::merge(name_table&& o) {
  if (by_mac_.empty()) {
    by_mac_ = std::move(o.by_mac_);
    return;
  }
  merge(static_cast<const name_table&>(o));
}

void name_table::seal() {
  if (!sealed_start_.empty()) return;  // sealed already
  std::vector<std::uint64_t> macs;
  macs.reserve(by_mac_.size());
  for (const auto& entry : by_mac_) macs.push_back(entry.first);
  std::sort(macs.begin(), macs.end());
  for (const std::uint64_t mac : macs) {
    std::vector<name_entry>& names = by_mac_[mac].names;
    std::sort(names.begin(), names.end(), [](const name_entry& a, const name_entry& b) {
      if (a.kind != b.kind) return a.kind < b.kind;
      if (a.first_ns != b.first_ns) return a.first_ns < b.first_ns;
      return a.text < b.text;
    });
    sealed_macs_.push_back(mac);
    sealed_start_.push_back(static_cast<std::uint32_t>(sealed_.size()));
    std::move(names.begin(), names.end(), std::back_inserter(sealed_));
  }
  sealed_start_.push_back(static_cast<std::uint32_t>(sealed_.size()));
  by_mac_.clear();
}

std::span<const name_entry> name_table::of(core::mac_address mac) const {
  const auto it = std::lower_bound(sealed_macs_.begin(), sealed_macs_.end(), mac.value());
  if (it == sealed_macs_.end() || *it != mac.value()) return {};
  const auto i = static_cast<std::size_t>(it - sealed_macs_.begin());
  return std::span<const name_entry>(sealed_).subspan(sealed_start_[i],
                                                      sealed_start_[i + 1] - sealed_start_[i]);
}

}  // namespace ouiscan::identity
