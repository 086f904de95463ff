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

// `src` is the source of the frame carrying the ARP, if it has one.
void decode_arp(core::bytes p, frame_addresses& out, const mac_address* src) noexcept {
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
  const mac_address sender = mac_at(p, arp_fixed);
  const bool ipv4 = load_be<std::uint16_t>(p.data() + 2) == ethertype_ipv4 && plen == 4;
  const std::byte* sender_ip = p.data() + arp_fixed + mac_len;
  const bool probe = !ipv4 || load_be<std::uint32_t>(sender_ip) == 0;
  std::uint16_t flags = 0;
  // Gratuitous ARP (RFC 5227 3): the sender announces its own address as the target.
  if (!probe && std::memcmp(sender_ip, p.data() + target + mac_len, 4) == 0) {
    flags |= flag_gratuitous_arp;
  }
  // arpwatch's "ethernet mismatch": both addresses are flagged.
  if (src != nullptr && *src != sender) {
    flags |= flag_arp_mismatch;
    out.add(*src, flag_arp_mismatch);
  }
  out.flags |= flags;
  out.add(sender, role_arp_sender | flags);
  out.add(mac_at(p, target), role_arp_target);
  if (!probe) out.add_binding(sender, sender_ip, false, ip_source::arp);
}

constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
constexpr std::uint16_t ethertype_pbb = 0x88E7;  // 802.1ah I-tag, then the customer frame
constexpr std::uint16_t ethertype_teb = 0x6558;  // GRE transparent Ethernet bridging
constexpr std::uint16_t ethertype_erspan2 = 0x88BE;
constexpr std::uint16_t ethertype_erspan3 = 0x22EB;
constexpr std::uint16_t ethertype_pppoe_session = 0x8864;
constexpr std::uint16_t ethertype_mpls = 0x8847;
constexpr std::uint16_t ethertype_mpls_multicast = 0x8848;
constexpr std::uint16_t ethertype_lldp = 0x88CC;
constexpr std::uint16_t cisco_cdp = 0x2000;  // CDP's SNAP protocol ID, and its GRE protocol type
constexpr std::uint16_t ppp_ipv4 = 0x0021;
constexpr std::uint16_t ppp_ipv6 = 0x0057;
constexpr std::uint16_t vxlan_port = 4789;
constexpr std::uint16_t geneve_port = 6081;
constexpr std::uint16_t nbns_port = 137;
constexpr std::uint16_t mdns_port = 5353;
constexpr std::uint16_t dhcpv6_client_port = 546;
constexpr std::uint16_t dhcpv6_server_port = 547;
constexpr std::uint8_t ip_udp = 17;
constexpr std::uint8_t ip_icmpv6 = 58;
constexpr std::uint8_t ip_gre = 47;
constexpr int max_tunnel_depth = 3;

// The frame a payload belongs to: the outermost one (depth 0) or an Ethernet frame inside a
// tunnel. IP addresses and names found in the payload go to its source address.
struct layer {
  int depth = 0;
  bool has_src = false;
  mac_address src;
  core::bytes macs;  // destination and source (12 bytes) when the frame is Ethernet
};

layer outer_layer(const frame_addresses& out, core::bytes macs = {}) noexcept {
  layer l;
  l.macs = macs;
  if (const address_hit* s = out.source(); s != nullptr) {
    l.has_src = true;
    l.src = s->mac;
  }
  return l;
}

void decode_payload(std::uint16_t type, core::bytes p, frame_addresses& out, const layer& l);

// An Ethernet frame carried inside a tunnel: its addresses are records of their own (roles
// tunnel_src and tunnel_dst), each told which tunnel carried it; its payload is decoded as the
// outer frame's is, for the inner hosts.
void decode_tunnelled_ethernet(core::bytes p, frame_addresses& out, const layer& l,
                               name_kind tunnel, core::bytes outer, core::bytes header) noexcept {
  if (l.depth >= max_tunnel_depth || p.size() < ethernet_header) return;
  const mac_address dst = mac_at(p, 0);
  const mac_address src = mac_at(p, mac_len);
  out.tunnelled = true;
  out.add(dst, role_tunnel_dst);
  out.add(src, role_tunnel_src);
  out.add_name(src, tunnel, outer, header);
  if (dst != src) out.add_name(dst, tunnel, outer, header);
  const layer inner{l.depth + 1, true, src, p.first(2 * mac_len)};
  decode_payload(load_be<std::uint16_t>(p.data() + 12), p.subspan(ethernet_header), out, inner);
}

// LLDP (IEEE 802.1AB): type-length-value elements up to the End TLV.
void decode_lldp(core::bytes p, frame_addresses& out, const layer& l) noexcept {
  if (!l.has_src) return;
  for (std::size_t i = 0; i + 2 <= p.size();) {
    const unsigned tl = load_be<std::uint16_t>(p.data() + i);
    const unsigned type = tl >> 9;
    const std::size_t len = tl & 0x1FFU;
    if (type == 0 || i + 2 + len > p.size()) return;  // End, or cut short
    static constexpr std::array<name_kind, 9> kinds = {name_kind::count_,
                                                       name_kind::lldp_chassis_id,
                                                       name_kind::lldp_port_id,
                                                       name_kind::count_,  // TTL
                                                       name_kind::lldp_port_description,
                                                       name_kind::lldp_system_name,
                                                       name_kind::lldp_system_description,
                                                       name_kind::lldp_capabilities,
                                                       name_kind::lldp_management_address};
    if (type < kinds.size() && kinds[type] != name_kind::count_ && len > 0) {
      out.add_name(l.src, kinds[type], p.subspan(i + 2, len));
    }
    i += 2 + len;
  }
}

// CDP: version, TTL and checksum, then type-length-value elements (the length counts the
// 4-byte TLV header).
void decode_cdp(core::bytes p, frame_addresses& out, const layer& l) noexcept {
  if (!l.has_src || p.size() < 4 || (u8(p.data()) != 1 && u8(p.data()) != 2)) return;
  for (std::size_t i = 4; i + 4 <= p.size();) {
    const unsigned type = load_be<std::uint16_t>(p.data() + i);
    const std::size_t len = load_be<std::uint16_t>(p.data() + i + 2);
    if (len < 4 || i + len > p.size()) return;
    const name_kind kind = type == 1   ? name_kind::cdp_device_id
                           : type == 3 ? name_kind::cdp_port_id
                           : type == 5 ? name_kind::cdp_software_version
                           : type == 6 ? name_kind::cdp_platform
                                       : name_kind::count_;
    if (kind != name_kind::count_ && len > 4) out.add_name(l.src, kind, p.subspan(i + 4, len - 4));
    i += len;
  }
}

void decode_gre(core::bytes ip, core::bytes p, frame_addresses& out, const layer& l) noexcept {
  if (p.size() < 4) return;
  const unsigned flags = load_be<std::uint16_t>(p.data());
  if ((flags & 0x7u) != 0) return;  // GRE version 0 only
  const auto proto = load_be<std::uint16_t>(p.data() + 2);
  std::size_t header = 4;
  if ((flags & 0x8000u) != 0) header += 4;  // checksum
  if ((flags & 0x2000u) != 0) header += 4;  // key
  const bool sequenced = (flags & 0x1000u) != 0;
  if (sequenced) header += 4;
  if (p.size() < header) return;
  const core::bytes gre = p.first(header);
  p = p.subspan(header);
  if (proto == ethertype_teb) {
    decode_tunnelled_ethernet(p, out, l, name_kind::tunnel_gre, ip, gre);
  } else if (proto == ethertype_erspan2 || proto == ethertype_erspan3) {
    // ERSPAN type I has no header of its own (and no GRE sequence number); type II has 8
    // bytes; type III 12, and 8 more when its O flag says a platform subheader follows.
    std::size_t erspan = 0;
    if (proto == ethertype_erspan3) {
      erspan = p.size() >= 12 && (u8(p.data() + 11) & 0x01U) != 0 ? 20 : 12;
    } else if (sequenced) {
      erspan = 8;
    }
    if (p.size() < erspan) return;
    decode_tunnelled_ethernet(p.subspan(erspan), out, l, name_kind::tunnel_erspan, ip,
                              p.first(erspan));
  } else if (proto == cisco_cdp) {
    decode_cdp(p, out, l);  // CDP sent into the tunnel by the router at its other end
  }
}

// The layer's source address bound to an IP address from its payload.
void bind_source(frame_addresses& out, const layer& l, const std::byte* ip, bool v6,
                 ip_source source) noexcept {
  if (l.has_src) out.add_binding(l.src, ip, v6, source);
}

bool ipv4_unicast(const std::byte* ip) noexcept {
  const std::uint32_t a = load_be<std::uint32_t>(ip);
  return a != 0 && a != 0xFFFF'FFFFU && (a >> 28) != 0xE;  // not 0.0.0.0, broadcast, multicast
}

bool ipv6_unicast(const std::byte* ip) noexcept {
  static constexpr std::uint8_t unspecified[16] = {};
  return std::memcmp(ip, unspecified, 16) != 0 && u8(ip) != 0xFF;  // not ::, not ff00::/8
}

// DHCPv4 (RFC 2131, options RFC 2132): the client's addresses, and the server that replied.
void decode_dhcp(const std::byte* ip_header, std::uint16_t src_port, core::bytes p,
                 frame_addresses& out, const layer& l) noexcept {
  constexpr std::size_t options_at = 240;
  constexpr std::size_t chaddr_end = 34;
  if (p.size() < 3) return;
  const unsigned op = u8(p.data());
  if ((op != 1 && op != 2) || u8(p.data() + 1) != 1 || u8(p.data() + 2) != mac_len) return;
  // A reply from the server port names a DHCP server, however much of it was captured.
  if (op == 2 && src_port == 67 && ipv4_unicast(ip_header + 12)) {
    bind_source(out, l, ip_header + 12, false, ip_source::dhcp_server);
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

// DHCPv6 (RFC 8415): a client identifier that is a DUID-LLT or DUID-LL over Ethernet names the
// client's MAC address. A client message binds it to the IPv6 source; a Reply to the addresses
// of its IA_NA and IA_TA options.
void decode_dhcpv6(const std::byte* ip6_header, core::bytes p, frame_addresses& out) noexcept {
  if (p.size() < 4) return;
  const unsigned type = u8(p.data());
  constexpr unsigned reply = 7;
  const bool client_message =
      type == 1 || (type >= 3 && type <= 6) || type == 8 || type == 9 || type == 11;
  if (!client_message && type != reply) return;
  const std::byte* mac = nullptr;
  const auto options = p.subspan(4);
  for (std::size_t i = 0; i + 4 <= options.size();) {
    const unsigned code = load_be<std::uint16_t>(options.data() + i);
    const std::size_t len = load_be<std::uint16_t>(options.data() + i + 2);
    if (i + 4 + len > options.size()) break;
    const std::byte* v = options.data() + i + 4;
    if (code == 1 && len >= 4 && load_be<std::uint16_t>(v + 2) == arphrd_ether) {
      const unsigned duid = load_be<std::uint16_t>(v);
      if (duid == 1 && len == 14) mac = v + 8;  // type, hardware type, time, address
      if (duid == 3 && len == 10) mac = v + 4;  // type, hardware type, address
    }
    i += 4 + len;
  }
  if (mac == nullptr) return;
  const mac_address client = mac_address::from_bytes(mac);
  if (client_message) {
    if (ipv6_unicast(ip6_header + 8)) {
      out.add_binding(client, ip6_header + 8, true, ip_source::dhcpv6_client);
    }
    return;
  }
  for (std::size_t i = 0; i + 4 <= options.size();) {
    const unsigned code = load_be<std::uint16_t>(options.data() + i);
    const std::size_t len = load_be<std::uint16_t>(options.data() + i + 2);
    if (i + 4 + len > options.size()) return;
    // IA_NA: IAID, T1, T2, then options; IA_TA: IAID, then options. IA Address (5): the
    // address first.
    const std::size_t fixed = code == 3 ? 12 : code == 4 ? 4 : len;
    const core::bytes ia = options.subspan(i + 4, len);
    for (std::size_t j = fixed; j + 4 <= ia.size();) {
      const std::size_t sub = load_be<std::uint16_t>(ia.data() + j + 2);
      if (j + 4 + sub > ia.size()) break;
      if (load_be<std::uint16_t>(ia.data() + j) == 5 && sub >= 24 &&
          ipv6_unicast(ia.data() + j + 4)) {
        out.add_binding(client, ia.data() + j + 4, true, ip_source::dhcpv6_reply);
      }
      j += 4 + sub;
    }
    i += 4 + len;
  }
}

// NetBIOS name service (RFC 1002): the name a host registers (or refreshes) for itself.
void decode_nbns(core::bytes p, frame_addresses& out, const layer& l) noexcept {
  constexpr std::size_t name_at = 12;
  constexpr std::size_t encoded = 32;
  if (!l.has_src || p.size() < name_at + 1 + encoded) return;
  const unsigned flags = load_be<std::uint16_t>(p.data() + 2);
  const unsigned opcode = (flags >> 11) & 0x0FU;
  const bool registers = opcode == 5 || opcode == 8 || opcode == 9 || opcode == 15;
  if ((flags & 0x8000U) != 0 || !registers || load_be<std::uint16_t>(p.data() + 4) == 0) return;
  if (u8(p.data() + name_at) != encoded) return;
  out.add_name(l.src, name_kind::nbns_name, p.subspan(name_at + 1, encoded));
}

constexpr std::size_t no_name = ~std::size_t{0};

// Skips a DNS name (RFC 1035 4.1.4); no_name when it runs past the message.
std::size_t skip_dns_name(core::bytes m, std::size_t at) noexcept {
  while (at < m.size()) {
    const unsigned len = u8(m.data() + at);
    if ((len & 0xC0U) == 0xC0U) return at + 2 <= m.size() ? at + 2 : no_name;
    if (len > 63) return no_name;
    if (len == 0) return at + 1;
    at += 1 + len;
  }
  return no_name;
}

// mDNS responses (RFC 6762): the owners of A/AAAA records are the responder's host names, the
// owners of SRV records its service instances (RFC 6763).
void decode_mdns(core::bytes m, frame_addresses& out, const layer& l) noexcept {
  constexpr std::size_t header = 12;
  constexpr std::size_t max_records = 64;  // bounds the walk on hostile messages
  if (!l.has_src || m.size() < header) return;
  if ((load_be<std::uint16_t>(m.data() + 2) & 0x8000U) == 0) return;  // queries and probes
  std::size_t at = header;
  for (unsigned q = load_be<std::uint16_t>(m.data() + 4); q > 0; --q) {
    at = skip_dns_name(m, at);
    if (at == no_name || at + 4 > m.size()) return;
    at += 4;
  }
  std::size_t records = std::size_t{load_be<std::uint16_t>(m.data() + 6)} +
                        load_be<std::uint16_t>(m.data() + 8) +
                        load_be<std::uint16_t>(m.data() + 10);
  for (records = std::min(records, max_records); records > 0; --records) {
    const std::size_t name = at;
    at = skip_dns_name(m, at);
    if (at == no_name || at + 10 > m.size()) return;
    const unsigned type = load_be<std::uint16_t>(m.data() + at);
    const std::size_t rdlen = load_be<std::uint16_t>(m.data() + at + 8);
    at += 10;
    if (at + rdlen > m.size()) return;
    if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
      out.add_name(l.src, name_kind::mdns_hostname, m.subspan(name), m);
    } else if (type == 33) {
      out.add_name(l.src, name_kind::mdns_service, m.subspan(name), m);
    }
    at += rdlen;
  }
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

// IPv4 / IPv6: the source address of the packet, the UDP protocols that name hosts (DHCP,
// DHCPv6, NetBIOS, mDNS), Neighbor Discovery, and tunnels that carry Ethernet (VXLAN, Geneve,
// GRE). Only the first IP header after a link-layer header is read.
void decode_ip(std::uint16_t type, core::bytes p, frame_addresses& out, const layer& l) noexcept {
  std::uint8_t proto = 0;
  const std::byte* header = p.data();
  core::bytes ip;
  const bool v4 = type == ethertype_ipv4;
  if (v4) {
    if (p.size() < 20 || (u8(p.data()) >> 4) != 4) return;
    const std::size_t ihl = (u8(p.data()) & 0x0Fu) * 4u;
    if (ihl < 20 || p.size() < ihl) return;
    if (ipv4_unicast(header + 12)) bind_source(out, l, header + 12, false, ip_source::frame);
    if ((load_be<std::uint16_t>(p.data() + 6) & 0x1FFFu) != 0) return;  // not the first fragment
    proto = u8(p.data() + 9);
    ip = p.first(ihl);
    p = p.subspan(ihl);
  } else {
    if (p.size() < 40 || (u8(p.data()) >> 4) != 6) return;
    if (ipv6_unicast(header + 8)) bind_source(out, l, header + 8, true, ip_source::frame);
    proto = u8(p.data() + 6);
    ip = p.first(40);
    p = p.subspan(40);
    if (proto == ip_icmpv6) {
      decode_ndp(header, p, out);
      return;
    }
  }
  if (proto == ip_udp && p.size() >= 8) {
    const auto src_port = load_be<std::uint16_t>(p.data());
    const auto dst_port = load_be<std::uint16_t>(p.data() + 2);
    const core::bytes body = p.subspan(8);
    if (dst_port == vxlan_port) {
      if (body.size() >= 8) {
        decode_tunnelled_ethernet(body.subspan(8), out, l, name_kind::tunnel_vxlan, ip,
                                  body.first(8));
      }
    } else if (dst_port == geneve_port) {
      // Version and option length (4-byte words), flags, protocol type, VNI, options.
      if (body.size() < 8) return;
      const std::size_t len = 8 + (u8(body.data()) & 0x3FU) * std::size_t{4};
      if (body.size() >= len && load_be<std::uint16_t>(body.data() + 2) == ethertype_teb) {
        decode_tunnelled_ethernet(body.subspan(len), out, l, name_kind::tunnel_geneve, ip,
                                  body.first(8));
      }
    } else if (v4 && (src_port == 67 || src_port == 68) && (dst_port == 67 || dst_port == 68)) {
      decode_dhcp(header, src_port, body, out, l);
    } else if (!v4 && (dst_port == dhcpv6_server_port || dst_port == dhcpv6_client_port)) {
      decode_dhcpv6(header, body, out);
    } else if (v4 && (src_port == nbns_port || dst_port == nbns_port)) {
      decode_nbns(body, out, l);
    } else if (src_port == mdns_port || dst_port == mdns_port) {
      decode_mdns(body, out, l);
    }
  } else if (proto == ip_gre) {
    decode_gre(ip, p, out, l);
  }
}

// Follows VLAN tags, LLC/SNAP and Ethernet-carrying tunnels from an EtherType (or 802.3
// length) to the payloads that carry addresses. VLAN IDs are recorded for the outermost frame
// only (depth 0).
void decode_payload(std::uint16_t type, core::bytes p, frame_addresses& out, const layer& l) {
  const int depth = l.depth;
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
      // 802.2 LLC: only SNAP (AA AA 03, an OUI, a protocol ID) leads on: OUI 0 to an
      // EtherType, Cisco's 00000C with protocol 0x2000 to CDP.
      if (p.size() < llc_snap_header || u8(p.data()) != 0xAA || u8(p.data() + 1) != 0xAA ||
          u8(p.data() + 2) != 0x03) {
        return;
      }
      const std::uint32_t oui = load_be<std::uint32_t>(p.data() + 2) & 0xFF'FFFFU;
      type = load_be<std::uint16_t>(p.data() + 6);
      p = p.subspan(llc_snap_header);
      if (oui == 0x00000C && type == cisco_cdp) {
        decode_cdp(p, out, l);
        return;
      }
      if (type <= max_8023_length) return;
    } else {
      if (type == ethertype_arp || type == ethertype_rarp) {
        decode_arp(p, out, l.has_src ? &l.src : nullptr);
      } else if (type == ethertype_ipv4 || type == ethertype_ipv6) {
        decode_ip(type, p, out, l);
      } else if (type == ethertype_lldp) {
        decode_lldp(p, out, l);
      } else if (type == ethertype_mpls || type == ethertype_mpls_multicast) {
        // The label stack down to the bottom-of-stack bit, then IPv4 or IPv6 by its version.
        std::size_t at = 0;
        while (at + 4 <= p.size() && (u8(p.data() + at + 2) & 0x01U) == 0) at += 4;
        at += 4;
        if (at < p.size()) {
          const unsigned version = u8(p.data() + at) >> 4;
          if (version == 4) decode_ip(ethertype_ipv4, p.subspan(at), out, l);
          if (version == 6) decode_ip(ethertype_ipv6, p.subspan(at), out, l);
        }
      } else if (type == ethertype_pppoe_session && p.size() >= 8) {
        // PPPoE header (6 bytes), then the PPP protocol: IPv4 or IPv6.
        const auto ppp = load_be<std::uint16_t>(p.data() + 6);
        if (ppp == ppp_ipv4) decode_ip(ethertype_ipv4, p.subspan(8), out, l);
        if (ppp == ppp_ipv6) decode_ip(ethertype_ipv6, p.subspan(8), out, l);
      } else if (type == ethertype_pbb && p.size() >= 4) {
        // The I-tag (flags, 24-bit service ID), then the customer frame; the backbone
        // addresses are the tunnel's endpoints.
        decode_tunnelled_ethernet(p.subspan(4), out, l, name_kind::tunnel_pbb, l.macs, p.first(4));
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
  decode_payload(type, f.subspan(ethernet_header + tag), out, outer_layer(out, f.first(12)));
}

void decode_sll(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t header = 16;
  if (f.size() < header) {
    out.status = decode_status::short_frame;
    return;
  }
  if (load_be<std::uint16_t>(f.data() + 4) == mac_len) out.add(mac_at(f, 6), role_src);
  decode_payload(load_be<std::uint16_t>(f.data() + 14), f.subspan(header), out, outer_layer(out));
}

void decode_sll2(core::bytes f, frame_addresses& out) noexcept {
  constexpr std::size_t header = 20;
  if (f.size() < header) {
    out.status = decode_status::short_frame;
    return;
  }
  if (u8(f.data() + 11) == mac_len) out.add(mac_at(f, 12), role_src);
  decode_payload(load_be<std::uint16_t>(f.data()), f.subspan(header), out, outer_layer(out));
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
  if (f.size() > header) decode_payload(0, f.subspan(header), out, outer_layer(out));
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
    case name_kind::user_name:
      return "user_name";
    case name_kind::dhcp_fqdn:
    case name_kind::dhcp_fqdn_wire:
      return "dhcp_fqdn";
    case name_kind::dhcp_vendor_class:
      return "dhcp_vendor_class";
    case name_kind::dhcp_parameter_list:
      return "dhcp_parameter_list";
    case name_kind::nbns_name:
      return "nbns_name";
    case name_kind::mdns_hostname:
      return "mdns_hostname";
    case name_kind::mdns_service:
      return "mdns_service";
    case name_kind::lldp_chassis_id:
      return "lldp_chassis_id";
    case name_kind::lldp_port_id:
      return "lldp_port_id";
    case name_kind::lldp_port_description:
      return "lldp_port_description";
    case name_kind::lldp_system_name:
      return "lldp_system_name";
    case name_kind::lldp_system_description:
      return "lldp_system_description";
    case name_kind::lldp_capabilities:
      return "lldp_capabilities";
    case name_kind::lldp_management_address:
      return "lldp_management_address";
    case name_kind::cdp_device_id:
      return "cdp_device_id";
    case name_kind::cdp_port_id:
      return "cdp_port_id";
    case name_kind::cdp_software_version:
      return "cdp_software_version";
    case name_kind::cdp_platform:
      return "cdp_platform";
    case name_kind::tunnel_vxlan:
      return "vxlan";
    case name_kind::tunnel_geneve:
      return "geneve";
    case name_kind::tunnel_gre:
      return "gre";
    case name_kind::tunnel_erspan:
      return "erspan";
    case name_kind::tunnel_pbb:
      return "pbb";
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
    case ip_source::dhcpv6_client:
      return "dhcpv6_client";
    case ip_source::dhcpv6_reply:
      return "dhcpv6_reply";
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
