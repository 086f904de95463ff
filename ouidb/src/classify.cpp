#include "ouiscan/ouidb/classify.h"

#include <cstdio>

namespace ouiscan::ouidb {
namespace {

struct prefix_name {
  std::uint64_t value;  // prefix, right-aligned
  unsigned bits;
  std::string_view name;
};

// Group addresses with fixed meanings (IEEE 802.1Q table 8-1 and the IEEE RA's list of
// standard group addresses; Cisco's published protocol addresses; IETF RFCs).
constexpr prefix_name kGroups[] = {
    {0x0180C2000000, 48, "STP (bridge group)"},
    {0x0180C2000001, 48, "PAUSE (MAC control)"},
    {0x0180C2000002, 48, "Slow protocols (LACP, marker, OAM)"},
    {0x0180C2000003, 48, "802.1X PAE (nearest non-TPMR bridge)"},
    {0x0180C2000004, 48, "MAC-specific control"},
    {0x0180C2000007, 48, "MEF E-LMI"},
    {0x0180C2000008, 48, "Provider bridge group (STP)"},
    {0x0180C200000D, 48, "Provider bridge MVRP"},
    {0x0180C200000E, 48, "LLDP / PTP peer delay (nearest bridge)"},
    {0x0180C2000010, 48, "All LANs bridge management"},
    {0x0180C2000014, 48, "IS-IS all level-1 ISs"},
    {0x0180C2000015, 48, "IS-IS all level-2 ISs"},
    {0x0180C2000020, 48, "MMRP"},
    {0x0180C2000021, 48, "MVRP (GVRP)"},
    {0x0180C200003, 44, "CFM (802.1ag)"},
    {0x0180C20000, 40, "IEEE 802.1 reserved group"},
    {0x01000CCCCCCC, 48, "Cisco CDP / VTP / DTP / PAgP / UDLD"},
    {0x01000CCCCCCD, 48, "Cisco PVST+"},
    {0x01000CCDCDCD, 48, "Cisco STP UplinkFast"},
    {0x01000C000000, 48, "Cisco ISL"},
    {0x011B19000000, 48, "PTP (IEEE 1588)"},
    {0x09002B000004, 48, "IS-IS all end systems"},
    {0x09002B000005, 48, "IS-IS all intermediate systems"},
    {0x3333FF, 24, "IPv6 solicited-node multicast"},
};

constexpr prefix_name kPlatforms[] = {
    {0x005056, 24, "VMware"},
    {0x000C29, 24, "VMware"},
    {0x000569, 24, "VMware"},
    {0x001C14, 24, "VMware"},
    {0x00155D, 24, "Microsoft Hyper-V"},
    {0x0003FF, 24, "Microsoft Virtual PC"},
    {0x080027, 24, "VirtualBox"},
    {0x0A0027, 24, "VirtualBox host-only"},
    {0x525400, 24, "QEMU/KVM"},
    {0x00163E, 24, "Xen"},
    {0x001C42, 24, "Parallels"},
    {0x0242, 16, "Docker"},
};

bool matches(std::uint64_t mac, const prefix_name& p) noexcept {
  return (mac >> (48 - p.bits)) == p.value;
}

template <typename... Args>
void put(classification& c, const char* fmt, Args... args) noexcept {
  std::snprintf(c.detail.data(), c.detail.size(), fmt, args...);
}

}  // namespace

std::string_view to_string(slap_quadrant q) noexcept {
  switch (q) {
    case slap_quadrant::none:
      return "";
    case slap_quadrant::aai:
      return "AAI";
    case slap_quadrant::eli:
      return "ELI";
    case slap_quadrant::sai:
      return "SAI";
    case slap_quadrant::reserved:
      return "reserved";
  }
  return "";
}

classification classify(core::mac_address mac, bool has_cid) noexcept {
  classification c;
  const std::uint64_t v = mac.value();
  c.cast = core::class_of(mac);
  c.local = mac.is_local();
  if (c.cast == core::address_class::broadcast) {
    c.group = "broadcast";
    return c;
  }
  if (c.cast == core::address_class::null) {
    c.group = "null address";
    return c;
  }
  const auto octet = [&](int i) { return static_cast<unsigned>(mac.octet(i)); };
  if (c.cast == core::address_class::multicast) {
    for (const auto& g : kGroups) {
      if (matches(v, g)) {
        c.group = g.name;
        if (g.bits == 44) put(c, "level %u", octet(5) & 0x7u);
        return c;
      }
    }
    if ((v >> 23) == (0x01005EULL << 1)) {
      // RFC 1112: the low 23 bits of the group; 32 IPv4 groups share each address.
      c.group = "IPv4 multicast";
      put(c, "224.%u.%u.%u", octet(3) & 0x7Fu, octet(4), octet(5));
    } else if ((v >> 32) == 0x3333) {
      // RFC 2464: the low 32 bits of the IPv6 group.
      c.group = "IPv6 multicast";
      const unsigned hi = (octet(2) << 8) | octet(3);
      const unsigned lo = (octet(4) << 8) | octet(5);
      if (hi == 0) {
        put(c, "ff0X::%x", lo);
      } else {
        put(c, "ff0X::%x:%x", hi, lo);
      }
    }
    return c;
  }
  if ((v >> 8) == 0x00005E0001) {
    c.group = "VRRP virtual router (IPv4)";
    put(c, "VRID %u", octet(5));
  } else if ((v >> 8) == 0x00005E0002) {
    c.group = "VRRP virtual router (IPv6)";
    put(c, "VRID %u", octet(5));
  } else if ((v >> 8) == 0x00000C07AC) {
    c.group = "HSRP virtual router";
    put(c, "group %u", octet(5));
  } else if ((v >> 12) == 0x00000C9FF) {
    c.group = "HSRPv2 virtual router";
    put(c, "group %u", ((octet(4) & 0x0Fu) << 8) | octet(5));
  }
  for (const auto& p : kPlatforms) {
    if (matches(v, p)) c.platform = p.name;
  }
  if (c.local) {
    switch (octet(0) & 0x0Fu) {
      case 0x2:
        c.quadrant = slap_quadrant::aai;
        break;
      case 0x6:
        c.quadrant = slap_quadrant::reserved;
        break;
      case 0xA:
        c.quadrant = slap_quadrant::eli;
        break;
      case 0xE:
        c.quadrant = slap_quadrant::sai;
        break;
      default:
        break;
    }
    const bool known_eli = c.quadrant == slap_quadrant::eli && has_cid;
    c.likely_random = !known_eli && c.platform.empty() && c.group.empty();
  }
  return c;
}

}  // namespace ouiscan::ouidb
