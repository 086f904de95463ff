#include "ouiscan/capture/decode.h"

#include <cstring>

#include "ouiscan/capture/link_type.h"

namespace ouiscan::capture {
namespace {

using core::load_be;
using core::load_le;
using core::mac_address;
using core::u8;

constexpr std::size_t mac_len = 6;
constexpr std::size_t ethernet_header = 14;
constexpr std::uint16_t ethertype_arp = 0x0806;
constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_rarp = 0x8035;      // RARP shares ARP's layout
constexpr std::uint16_t ethertype_vlan = 0x8100;      // 802.1Q
constexpr std::uint16_t ethertype_qinq = 0x88A8;      // 802.1ad service tag
constexpr std::uint16_t ethertype_qinq_old = 0x9100;  // pre-standard QinQ
constexpr std::uint16_t ethertype_fabricpath = 0x8903;
constexpr std::uint16_t max_8023_length = 1500;
constexpr std::size_t fabricpath_header = 16;
constexpr std::size_t vlan_tag = 4;
constexpr std::uint16_t ethertype_vntag = 0x8926;
constexpr std::size_t vntag_tag = 6;
constexpr std::size_t llc_snap_header = 8;
constexpr std::size_t max_tags = 8;  // bounds the tag walk on hostile frames
constexpr std::uint16_t arphrd_ether = 1;
constexpr std::uint16_t arphrd_ieee802 = 6;
constexpr std::size_t arp_fixed = 8;

mac_address mac_at(core::bytes f, std::size_t off) noexcept {
  return mac_address::from_bytes(f.data() + off);
}

void decode_arp(core::bytes p, frame_addresses& out) noexcept {
  if (p.size() < arp_fixed) {
    out.status = decode_status::short_payload;
    return;
  }
  const auto htype = load_be<std::uint16_t>(p.data());
  const std::size_t hlen = u8(p.data() + 4);
  const std::size_t plen = u8(p.data() + 5);
  if (hlen != mac_len || (htype != arphrd_ether && htype != arphrd_ieee802)) return;
  // The whole ARP body must be captured: a dissector (tshark's) reads every address field before
  // showing any, so a payload cut short yields none.
  const std::size_t target = arp_fixed + mac_len + plen;
  if (p.size() < target + mac_len + plen) {
    out.status = decode_status::short_payload;
    return;
  }
  out.add(mac_at(p, arp_fixed), role_arp_sender);
  out.add(mac_at(p, target), role_arp_target);
  const bool ipv4 = load_be<std::uint16_t>(p.data() + 2) == ethertype_ipv4 && plen == 4;
  if (ipv4 && load_be<std::uint32_t>(p.data() + arp_fixed + mac_len) != 0) {
    out.add_binding(mac_at(p, arp_fixed), p.data() + arp_fixed + mac_len, false, ip_source::arp);
  }
}

constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
constexpr std::uint16_t ethertype_pbb = 0x88E7;  // 802.1ah I-tag, then the customer frame
constexpr std::uint16_t ethertype_teb = 0x6558;  // GRE transparent Ethernet bridging
constexpr std::uint16_t ethertype_erspan2 = 0x88BE;
constexpr std::uint16_t ethertype_erspan3 = 0x22EB;
constexpr std::uint16_t ethertype_pppoe_session = 0x8864;
constexpr std::uint16_t ethertype_mpls = 0x8847;
constexpr std::uint16_t ethertype_mpls_multicast = 0x8848;
constexpr std::uint16_t ppp_ipv4 = 0x0021;
constexpr std::uint16_t ppp_ipv6 = 0x0057;
constexpr std::uint16_t vxlan_port = 4789;
constexpr std::uint8_t ip_udp = 17;
constexpr std::uint8_t ip_icmpv6 = 58;
constexpr std::uint8_t ip_gre = 47;
constexpr int max_tunnel_depth = 3;

void decode_payload(std::uint16_t type, core::bytes p, frame_addresses& out, int depth);

// An Ethernet frame carried inside a tunnel: only the ARP inside it is taken (the inventory's
// frame addresses are those of the outermost header; see docs/addresses.md).
void decode_tunnelled_ethernet(core::bytes p, frame_addresses& out, int depth) noexcept {
  if (depth >= max_tunnel_depth || p.size() < ethernet_header) return;
  decode_payload(load_be<std::uint16_t>(p.data() + 12), p.subspan(ethernet_header), out, depth + 1);
}

void decode_gre(core::bytes p, frame_addresses& out, int depth) noexcept {
  if (p.size() < 4) return;
  const unsigned flags = load_be<std::uint16_t>(p.data());
  if ((flags & 0x7u) != 0) return;  // GRE version 0 only
  const auto proto = load_be<std::uint16_t>(p.data() + 2);
  std::size_t header = 4;
  if ((flags & 0x8000u) != 0) header += 4;  // checksum
  if ((flags & 0x2000u) != 0) header += 4;  // key
  if ((flags & 0x1000u) != 0) header += 4;  // sequence number
  if (proto == ethertype_erspan2) header += 8;
  if (proto == ethertype_erspan3) header += 12;
  if (p.size() < header) return;
  if (proto == ethertype_teb || proto == ethertype_erspan2 || proto == ethertype_erspan3) {
    decode_tunnelled_ethernet(p.subspan(header), out, depth);
  }
}

// The frame's source MAC address bound to an IP address from its payload.
void bind_source(frame_addresses& out, const std::byte* ip, bool v6, ip_source source) noexcept {
  const address_hit* src = out.source();
  if (src == nullptr) return;
  out.add_binding(src->mac, ip, v6, source);
}

bool ipv4_unicast(const std::byte* ip) noexcept {
  const std::uint32_t a = load_be<std::uint32_t>(ip);
  return a != 0 && a != 0xFFFF'FFFFU && (a >> 28) != 0xE;  // not 0.0.0.0, broadcast, multicast
}

// DHCPv4 (RFC 2131, options RFC 2132): the client's addresses, and the server that replied.
void decode_dhcp(const std::byte* ip_header, std::uint16_t src_port, core::bytes p,
                 frame_addresses& out) noexcept {
  constexpr std::size_t options_at = 240;
  constexpr std::size_t chaddr_end = 34;
  if (p.size() < 3) return;
  const unsigned op = u8(p.data());
  if ((op != 1 && op != 2) || u8(p.data() + 1) != 1 || u8(p.data() + 2) != mac_len) return;
  // A reply from the server port names a DHCP server, however much of it was captured.
  if (op == 2 && src_port == 67 && ipv4_unicast(ip_header + 12)) {
    bind_source(out, ip_header + 12, false, ip_source::dhcp_server);
  }
  if (p.size() < chaddr_end) return;
  const mac_address client = mac_at(p, 28);
  if (op == 1 && ipv4_unicast(p.data() + 12)) {
    out.add_binding(client, p.data() + 12, false, ip_source::dhcp_client);
  }
  if (p.size() < options_at || load_be<std::uint32_t>(p.data() + 236) != 0x63825363U) return;
  // Options: the main area, then the file and sname fields when option 52 says they hold
  // options too (RFC 2132 9.3).
  unsigned type = 0;
  const std::byte* requested = nullptr;
  unsigned overload = 0;
  const auto scan = [&](core::bytes area) {
    for (std::size_t i = 0; i < area.size();) {
      const unsigned code = u8(area.data() + i);
      if (code == 255) return;
      if (code == 0) {
        ++i;
        continue;
      }
      if (i + 2 > area.size()) return;
      const std::size_t len = u8(area.data() + i + 1);
      if (i + 2 + len > area.size()) return;  // cut short: the rest is not trusted
      const std::byte* v = area.data() + i + 2;
      if (code == 53 && len == 1) type = u8(v);
      if (len > 0 && (code == 12 || code == 60 || code == 55)) {
        out.add_name(client,
                     code == 12   ? name_kind::dhcp_hostname
                     : code == 60 ? name_kind::dhcp_vendor_class
                                  : name_kind::dhcp_parameter_list,
                     core::bytes(v, len));
      }
      if (code == 81 && len > 3) {  // flags, two RCODEs, then the name
        const bool wire = (u8(v) & 0x04U) != 0;
        out.add_name(client, wire ? name_kind::dhcp_fqdn_wire : name_kind::dhcp_fqdn,
                     core::bytes(v + 3, len - 3));
      }
      if (code == 50 && len == 4) requested = v;
      if (code == 52 && len == 1) overload = u8(v);
      i += 2 + len;
    }
  };
  scan(p.subspan(options_at));
  if ((overload & 1U) != 0) scan(p.subspan(108, 128));
  if ((overload & 2U) != 0) scan(p.subspan(44, 64));
  const auto bind = [&](const std::byte* ip, ip_source source) {
    if (!ipv4_unicast(ip)) return;
    out.add_binding(client, ip, false, source);
  };
  constexpr unsigned dhcp_ack = 5;
  if (op == 1 && requested != nullptr) bind(requested, ip_source::dhcp_requested);
  if (op == 2 && type == dhcp_ack) bind(p.data() + 16, ip_source::dhcp_ack);
}

// IPv6 Neighbor Discovery (RFC 4861): the link-layer address options of NS, NA and RA.
void decode_ndp(const std::byte* ip6_header, core::bytes p, frame_addresses& out) noexcept {
  const unsigned type = p.empty() ? 0 : u8(p.data());
  std::size_t fixed = 0;
  unsigned option = 0;
  ip_source source = ip_source::ndp_ns;
  const std::byte* ip = ip6_header + 8;  // the IPv6 source
  if (type == 135) {                     // NS: type, code, checksum, reserved, target
    fixed = 24;
    option = 1;
  } else if (type == 136) {  // NA: the target address is the one bound
    fixed = 24;
    option = 2;
    source = ip_source::ndp_na;
    if (p.size() >= 24) ip = p.data() + 8;
  } else if (type == 134) {  // RA: hop limit, flags, lifetimes, timers
    fixed = 16;
    option = 1;
    source = ip_source::ndp_ra;
  } else {
    return;
  }
  if (p.size() < fixed) return;
  static constexpr std::uint8_t unspecified[16] = {};
  if (std::memcmp(ip, unspecified, 16) == 0) return;  // duplicate address detection
  for (std::size_t i = fixed; i + 8 <= p.size();) {
    const std::size_t len = std::size_t{u8(p.data() + i + 1)} * 8;
    if (len == 0 || i + len > p.size()) return;
    if (u8(p.data() + i) == option && len == 8) {
      out.add_binding(mac_at(p, i + 2), ip, true, source);
      return;
    }
    i += len;
  }
}

// IPv4 / IPv6: the source address of the outermost packet, DHCPv4 and Neighbor Discovery, and
// tunnels that carry Ethernet: VXLAN (UDP 4789) and GRE.
void decode_ip(std::uint16_t type, core::bytes p, frame_addresses& out, int depth) noexcept {
  std::uint8_t proto = 0;
  const std::byte* header = p.data();
  if (type == ethertype_ipv4) {
    if (p.size() < 20 || (u8(p.data()) >> 4) != 4) return;
    const std::size_t ihl = (u8(p.data()) & 0x0Fu) * 4u;
    if (ihl < 20 || p.size() < ihl) return;
    if (depth == 0 && ipv4_unicast(header + 12))
      bind_source(out, header + 12, false, ip_source::frame);
    if ((load_be<std::uint16_t>(p.data() + 6) & 0x1FFFu) != 0) return;  // not the first fragment
    proto = u8(p.data() + 9);
    p = p.subspan(ihl);
  } else {
    if (p.size() < 40 || (u8(p.data()) >> 4) != 6) return;
    static constexpr std::uint8_t unspecified[16] = {};
    if (depth == 0 && std::memcmp(header + 8, unspecified, 16) != 0 && u8(header + 8) != 0xFF) {
      bind_source(out, header + 8, true, ip_source::frame);
    }
    proto = u8(p.data() + 6);
    p = p.subspan(40);
    if (proto == ip_icmpv6 && depth == 0) {
      decode_ndp(header, p, out);
      return;
    }
  }
  if (proto == ip_udp && p.size() >= 8) {
    const auto src_port = load_be<std::uint16_t>(p.data());
    const auto dst_port = load_be<std::uint16_t>(p.data() + 2);
    if (dst_port == vxlan_port && p.size() >= 16) {
      decode_tunnelled_ethernet(p.subspan(16), out, depth);  // UDP 8 + VXLAN 8
    } else if (depth == 0 && type == ethertype_ipv4 && (src_port == 67 || src_port == 68) &&
               (dst_port == 67 || dst_port == 68)) {
      decode_dhcp(header, src_port, p.subspan(8), out);
    }
  } else if (proto == ip_gre) {
    decode_gre(p, out, depth);
  }
}

// Follows VLAN tags, LLC/SNAP and Ethernet-carrying tunnels from an EtherType (or 802.3
// length) to an ARP payload. VLAN IDs are recorded for the outermost frame only (depth 0).
void decode_payload(std::uint16_t type, core::bytes p, frame_addresses& out, int depth) {
  for (std::size_t tags = 0; tags < max_tags; ++tags) {
    if (type == ethertype_vlan || type == ethertype_qinq || type == ethertype_qinq_old) {
      if (p.size() < vlan_tag) {
        if (depth == 0) out.status = decode_status::short_payload;
        return;
      }
      if (depth == 0) out.add_vlan(load_be<std::uint16_t>(p.data()) & 0x0FFF);
      type = load_be<std::uint16_t>(p.data() + 2);
      p = p.subspan(vlan_tag);
    } else if (type == ethertype_vntag) {
      // Cisco VN-Tag (802.1Qbh): 4 bytes of virtual interface IDs, then the EtherType.
      if (p.size() < vntag_tag) return;
      type = load_be<std::uint16_t>(p.data() + 4);
      p = p.subspan(vntag_tag);
    } else if (type <= max_8023_length) {
      // 802.2 LLC: only SNAP (AA AA 03 + OUI + EtherType) leads on to an EtherType.
      if (p.size() < llc_snap_header || u8(p.data()) != 0xAA || u8(p.data() + 1) != 0xAA ||
          u8(p.data() + 2) != 0x03) {
        return;
      }
      type = load_be<std::uint16_t>(p.data() + 6);
      p = p.subspan(llc_snap_header);
      if (type <= max_8023_length) return;
    } else {
      if (type == ethertype_arp || type == ethertype_rarp) {
        decode_arp(p, out);
      } else if (type == ethertype_ipv4 || type == ethertype_ipv6) {
        decode_ip(type, p, out, depth);
      } else if (type == ethertype_mpls || type == ethertype_mpls_multicast) {
        // The label stack down to the bottom-of-stack bit, then IPv4 or IPv6 by its version.
        std::size_t at = 0;
        while (at + 4 <= p.size() && (u8(p.data() + at + 2) & 0x01U) == 0) at += 4;
        at += 4;
        if (at < p.size()) {
          const unsigned version = u8(p.data() + at) >> 4;
          if (version == 4) decode_ip(ethertype_ipv4, p.subspan(at), out, depth);
          if (version == 6) decode_ip(ethertype_ipv6, p.subspan(at), out, depth);
        }
      } else if (type == ethertype_pppoe_session && p.size() >= 8) {
        // PPPoE header (6 bytes), then the PPP protocol: IPv4 or IPv6.
        const auto ppp = load_be<std::uint16_t>(p.data() + 6);
        if (ppp == ppp_ipv4) decode_ip(ethertype_ipv4, p.subspan(8), out, depth);
        if (ppp == ppp_ipv6) decode_ip(ethertype_ipv6, p.subspan(8), out, depth);
      } else if (type == ethertype_pbb && p.size() >= 4) {
        decode_tunnelled_ethernet(p.subspan(4), out, depth);
      }
      return;
    }
  }
}

// An Ethernet header, with `tag` bytes of switch tag between the source address and EtherType.
void decode_ethernet(core::bytes f, frame_addresses& out, std::size_t tag = 0) noexcept {
  if (f.size() < ethernet_header + tag) {
    out.status = decode_status::short_frame;
    return;
  }
  const auto type = load_be<std::uint16_t>(f.data() + 12 + tag);
  if (type == ethertype_fabricpath && tag == 0) {
    // Cisco FabricPath: bytes 0-11 are switch IDs, not MACs; the classic frame follows.
    if (f.size() < fabricpath_header + ethernet_header) {
      out.status = decode_status::short_frame;
      return;
    }
    decode_ethernet(f.subspan(fabricpath_header), out);
    return;
  }
  out.add(mac_at(f, 0), role_dst);
  out.add(mac_at(f, mac_len), role_src);
  decode_payload(type, f.subspan(ethernet_header + tag), out, 0);
}

void decode_sll(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t header = 16;
  if (f.size() < header) {
    out.status = decode_status::short_frame;
    return;
  }
  if (load_be<std::uint16_t>(f.data() + 4) == mac_len) out.add(mac_at(f, 6), role_src);
  decode_payload(load_be<std::uint16_t>(f.data() + 14), f.subspan(header), out, 0);
}

void decode_sll2(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t header = 20;
  if (f.size() < header) {
    out.status = decode_status::short_frame;
    return;
  }
  if (u8(f.data() + 11) == mac_len) out.add(mac_at(f, 12), role_src);
  decode_payload(load_be<std::uint16_t>(f.data()), f.subspan(header), out, 0);
}

enum wlan_type : unsigned { wlan_mgmt = 0, wlan_ctrl = 1, wlan_data = 2 };
constexpr std::size_t wlan_addr1 = 4;
constexpr std::size_t wlan_addr2 = 10;
constexpr std::size_t wlan_addr3 = 16;
constexpr std::size_t wlan_addr4 = 24;
constexpr std::size_t wlan_header3 = 24;

// Control subtypes that carry only the receiver address (CTS, ACK, control wrapper).
constexpr bool control_has_ta(unsigned subtype) noexcept {
  return subtype != 7 && subtype != 12 && subtype != 13;
}

void decode_wlan(core::bytes f, frame_addresses& out, bool data_pad) noexcept {
  if (f.size() < wlan_addr1 + mac_len) {
    out.status = decode_status::short_frame;
    return;
  }
  const unsigned fc0 = u8(f.data());
  const unsigned fc1 = u8(f.data() + 1);
  if ((fc0 & 0x03u) != 0) {
    out.status = decode_status::wlan_version;
    return;
  }
  const unsigned type = (fc0 >> 2) & 0x03u;
  const unsigned subtype = fc0 >> 4;
  const bool to_ds = (fc1 & 0x01u) != 0;
  const bool from_ds = (fc1 & 0x02u) != 0;
  const auto put = [&](std::size_t off, std::uint16_t roles) {
    if (f.size() >= off + mac_len) out.add(mac_at(f, off), roles);
  };
  switch (type) {
    case wlan_mgmt:
      put(wlan_addr1, role_dst);
      put(wlan_addr2, role_src);
      put(wlan_addr3, role_bssid);
      return;
    case wlan_ctrl:
      // A control frame has no SA/DA: its receiver and transmitter stand in for them.
      put(wlan_addr1, role_dst);
      if (control_has_ta(subtype)) put(wlan_addr2, role_src);
      return;
    case wlan_data:
      break;
    default:
      put(wlan_addr1, role_ra);  // extension frames (DMG / S1G beacons) carry one address
      return;
  }
  if (!to_ds && !from_ds) {
    put(wlan_addr1, role_dst);
    put(wlan_addr2, role_src);
    put(wlan_addr3, role_bssid);
  } else if (to_ds && !from_ds) {
    put(wlan_addr1, role_bssid);
    put(wlan_addr2, role_src);
    put(wlan_addr3, role_dst);
  } else if (!to_ds && from_ds) {
    put(wlan_addr1, role_dst);
    put(wlan_addr2, role_bssid);
    put(wlan_addr3, role_src);
  } else {
    put(wlan_addr1, role_ra);
    put(wlan_addr2, role_ta);
    put(wlan_addr3, role_dst);
    put(wlan_addr4, role_src);
  }
  // ARP inside an unprotected data frame that carries data: LLC/SNAP after the header.
  const bool protected_frame = (fc1 & 0x40u) != 0;
  const bool no_data = (subtype & 0x04u) != 0;
  if (protected_frame || no_data) return;
  std::size_t header = wlan_header3 + (to_ds && from_ds ? mac_len : 0);
  if ((subtype & 0x08u) != 0) {  // QoS data: a QoS control field
    header += 2;
    if ((fc1 & 0x80u) != 0) header += 4;  // +HTC
  }
  if (data_pad) header = (header + 3) & ~std::size_t{3};
  if (f.size() > header) decode_payload(0, f.subspan(header), out, 0);
}

// Radiotap: a little-endian header whose length is at byte 2; the Flags field says whether
// the 802.11 header is padded.
void decode_radiotap(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t fixed = 8;
  constexpr std::uint32_t present_tsft = 1u << 0;
  constexpr std::uint32_t present_flags = 1u << 1;
  constexpr std::uint32_t present_ext = 1u << 31;
  constexpr unsigned flag_data_pad = 0x20;
  if (f.size() < fixed) {
    out.status = decode_status::short_frame;
    return;
  }
  const std::size_t len = load_le<std::uint16_t>(f.data() + 2);
  if (len < fixed || f.size() < len) {
    out.status = decode_status::short_frame;
    return;
  }
  const auto present = load_le<std::uint32_t>(f.data() + 4);
  std::size_t off = 4;
  for (std::uint32_t word = present; (word & present_ext) != 0 && off + 8 <= len;) {
    off += 4;
    word = load_le<std::uint32_t>(f.data() + off);
  }
  off += 4;
  bool data_pad = false;
  if ((present & present_tsft) != 0) off = ((off + 7) & ~std::size_t{7}) + 8;
  if ((present & present_flags) != 0 && off < len) {
    data_pad = (u8(f.data() + off) & flag_data_pad) != 0;
  }
  decode_wlan(f.subspan(len), out, data_pad);
}

void decode_ppi(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t fixed = 8;
  if (f.size() < fixed) {
    out.status = decode_status::short_frame;
    return;
  }
  const std::size_t len = load_le<std::uint16_t>(f.data() + 2);
  if (len < fixed || f.size() < len) {
    out.status = decode_status::short_frame;
    return;
  }
  const auto dlt = load_le<std::uint32_t>(f.data() + 4);
  if (dlt == linktype::ieee802_11) {
    decode_wlan(f.subspan(len), out, false);
  } else if (dlt == linktype::ethernet) {
    decode_ethernet(f.subspan(len), out);
  } else {
    out.status = decode_status::no_mac_link;
  }
}

// Juniper's pseudo-header: "MGC", a flags byte, optional TLV extensions, then the L2 frame.
void decode_juniper_ether(core::bytes f, frame_addresses& out) noexcept {
  constexpr unsigned flag_no_l2 = 0x02;
  constexpr unsigned flag_ext = 0x80;
  if (f.size() < 4 || u8(f.data()) != 'M' || u8(f.data() + 1) != 'G' || u8(f.data() + 2) != 'C') {
    out.status = decode_status::short_frame;
    return;
  }
  const unsigned flags = u8(f.data() + 3);
  std::size_t header = 4;
  if ((flags & flag_ext) != 0) {
    if (f.size() < 6) {
      out.status = decode_status::short_frame;
      return;
    }
    header = 6 + load_be<std::uint16_t>(f.data() + 4);
  }
  if ((flags & flag_no_l2) != 0) return;
  if (f.size() < header) {
    out.status = decode_status::short_frame;
    return;
  }
  decode_ethernet(f.subspan(header), out);
}

// Apple PKTAP: a little-endian header length and the DLT of what follows.
void decode_pktap(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t fixed = 8;
  if (f.size() < fixed) {
    out.status = decode_status::short_frame;
    return;
  }
  const std::size_t len = load_le<std::uint32_t>(f.data());
  const auto dlt = load_le<std::uint32_t>(f.data() + 4);
  if (len < fixed || f.size() < len) {
    out.status = decode_status::short_frame;
    return;
  }
  if (dlt == linktype::ethernet) {
    decode_ethernet(f.subspan(len), out);
  } else {
    out.status = decode_status::no_mac_link;
  }
}

}  // namespace

const char* to_string(name_kind k) noexcept {
  switch (k) {
    case name_kind::dhcp_hostname:
      return "dhcp_hostname";
    case name_kind::dhcp_fqdn:
    case name_kind::dhcp_fqdn_wire:
      return "dhcp_fqdn";
    case name_kind::dhcp_vendor_class:
      return "dhcp_vendor_class";
    case name_kind::dhcp_parameter_list:
      return "dhcp_parameter_list";
    case name_kind::count_:
      break;
  }
  return "?";
}

const char* to_string(ip_source s) noexcept {
  switch (s) {
    case ip_source::frame:
      return "ip_source";
    case ip_source::arp:
      return "arp";
    case ip_source::dhcp_ack:
      return "dhcp_ack";
    case ip_source::dhcp_requested:
      return "dhcp_requested";
    case ip_source::dhcp_client:
      return "dhcp_client";
    case ip_source::dhcp_server:
      return "dhcp_server";
    case ip_source::ndp_ns:
      return "ndp_ns";
    case ip_source::ndp_na:
      return "ndp_na";
    case ip_source::ndp_ra:
      return "ndp_ra";
    case ip_source::count_:
      break;
  }
  return "?";
}

const char* to_string(decode_status s) noexcept {
  switch (s) {
    case decode_status::ok:
      return "ok";
    case decode_status::no_mac_link:
      return "no_mac_link";
    case decode_status::unknown_link:
      return "unknown_link";
    case decode_status::short_frame:
      return "short_frame";
    case decode_status::wlan_version:
      return "wlan_unknown_version";
    case decode_status::short_payload:
      return "short_payload";
    case decode_status::count_:
      break;
  }
  return "unknown";
}

void decode(std::uint16_t link_type, core::bytes frame, frame_addresses& out) noexcept {
  out.clear();
  constexpr std::size_t brcm_tag = 4;
  constexpr std::size_t dsa_tag = 4;
  constexpr std::size_t edsa_tag = 8;
  switch (link_type) {
    case linktype::ethernet:
      decode_ethernet(frame, out);
      return;
    case linktype::linux_sll:
      decode_sll(frame, out);
      return;
    case linktype::linux_sll2:
      decode_sll2(frame, out);
      return;
    case linktype::ieee802_11:
      decode_wlan(frame, out, false);
      return;
    case linktype::ieee802_11_radiotap:
      decode_radiotap(frame, out);
      return;
    case linktype::ppi:
      decode_ppi(frame, out);
      return;
    case linktype::juniper_ether:
      decode_juniper_ether(frame, out);
      return;
    case linktype::pktap:
    case linktype::user2:
      decode_pktap(frame, out);
      return;
    case linktype::dsa_tag_brcm:
      decode_ethernet(frame, out, brcm_tag);
      return;
    case linktype::dsa_tag_brcm_prepend:
      if (frame.size() < brcm_tag) {
        out.status = decode_status::short_frame;
        return;
      }
      decode_ethernet(frame.subspan(brcm_tag), out);
      return;
    case linktype::dsa_tag_dsa:
      decode_ethernet(frame, out, dsa_tag);
      return;
    case linktype::dsa_tag_edsa:
      decode_ethernet(frame, out, edsa_tag);
      return;
    default:
      break;
  }
  out.status = link_info_of(link_type).family == link_family::unknown ? decode_status::unknown_link
                                                                      : decode_status::no_mac_link;
}

}  // namespace ouiscan::capture
