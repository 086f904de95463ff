// File: decode.h
// Finds the MAC addresses in one captured frame: the outermost link-layer header's addresses
// (Ethernet, Linux cooked, IEEE 802.11 behind radiotap or PPI), the VLAN tags in front of the
// payload, the hardware addresses inside an ARP payload and the addresses of Ethernet frames
// carried in tunnels; and, for the identity stage, the IP addresses and names that the frame
// binds to them. docs/addresses.md gives the rules.
//
//   capture::frame_addresses out;
//   capture::decode(linktype::ethernet, frame_bytes, out);
//   for (auto& a : out.addresses()) use(a.mac, a.roles);
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "ouiscan/core/bytes.h"
#include "ouiscan/core/mac_address.h"

namespace ouiscan::capture {

// The roles an address plays in a frame, as bits so that one address may hold several.
enum role : std::uint16_t {
  role_src = 1 << 0,         // Ethernet / cooked source, 802.11 SA
  role_dst = 1 << 1,         // Ethernet destination, 802.11 DA
  role_bssid = 1 << 2,       // 802.11 BSSID
  role_ra = 1 << 3,          // 802.11 receiver (when not also the DA)
  role_ta = 1 << 4,          // 802.11 transmitter (when not also the SA)
  role_arp_sender = 1 << 5,  // ARP sender hardware address
  role_arp_target = 1 << 6,  // ARP target hardware address
  role_tunnel_src = 1 << 7,  // source of an Ethernet frame inside a tunnel (VXLAN, GRE, ...)
  role_tunnel_dst = 1 << 8,  // its destination
};
inline constexpr std::uint16_t frame_roles = role_src | role_dst | role_bssid | role_ra | role_ta;
inline constexpr std::uint16_t arp_roles = role_arp_sender | role_arp_target;
inline constexpr std::uint16_t tunnel_roles = role_tunnel_src | role_tunnel_dst;
inline constexpr unsigned role_count = 9;

// Anomalies of one address in one frame, carried in the high bits of a hit's roles.
enum address_flag : std::uint16_t {
  flag_arp_mismatch = 1 << 12,    // an ARP sender other than the frame's source, or that source
  flag_gratuitous_arp = 1 << 13,  // the sender of a gratuitous ARP (sender IP = target IP)
};
inline constexpr std::uint16_t address_flags = flag_arp_mismatch | flag_gratuitous_arp;

// What decoding found, beyond the addresses; each non-ok value is an anomaly counter.
enum class decode_status : std::uint8_t {
  ok,
  no_mac_link,    // a link type without MAC addresses (raw IP, PPP, ...)
  unknown_link,   // a link type ouiscan does not know
  short_frame,    // too short for its link-layer header: no address taken
  wlan_version,   // 802.11 protocol version other than 0: addresses not trusted
  short_payload,  // the header was read but a VLAN tag or ARP payload was cut short
  count_,
};
[[nodiscard]] const char* to_string(decode_status s) noexcept;

struct address_hit {
  core::mac_address mac;
  std::uint16_t roles = 0;
};

// Where an IP address was learned for a MAC address.
enum class ip_source : std::uint8_t {
  frame,           // the IPv4 or IPv6 source address of a frame the MAC address sent
  arp,             // the ARP/RARP sender (0.0.0.0, a probe, is not a binding)
  dhcp_ack,        // DHCPv4 ACK: "your" address (yiaddr) for the client hardware address
  dhcp_requested,  // DHCPv4 option 50, requested address
  dhcp_client,     // DHCPv4 ciaddr, the client's own address
  dhcp_server,     // the source of a DHCPv4 reply sent from port 67: a DHCP server
  ndp_ns,          // IPv6 Neighbor Solicitation: source link-layer address option
  ndp_na,          // IPv6 Neighbor Advertisement: target link-layer address option
  ndp_ra,          // IPv6 Router Advertisement: source link-layer address option (a router)
  dhcpv6_client,   // DHCPv6 client message: its IPv6 source, for the MAC of its DUID-LL/LLT
  dhcpv6_reply,    // DHCPv6 Reply: an IA address, for the MAC of the client's DUID-LL/LLT
  count_,
};
[[nodiscard]] const char* to_string(ip_source s) noexcept;

// An IP address bound to a MAC address by one frame.
struct ip_binding {
  core::mac_address mac;
  std::array<std::uint8_t, 16> ip{};  // IPv4 in the first 4 bytes
  bool v6 = false;
  ip_source source = ip_source::frame;
};

// Names and other facts a frame gives for a MAC address, each with the bytes it is made from.
enum class name_kind : std::uint8_t {
  // DHCPv4 options (RFC 2132, RFC 4702)
  dhcp_hostname,        // option 12
  dhcp_fqdn,            // option 81, the domain name in ASCII
  dhcp_fqdn_wire,       // option 81 with its E flag: the domain name in DNS wire format
  dhcp_vendor_class,    // option 60
  dhcp_parameter_list,  // option 55: the codes asked for, the client's fingerprint
  // NetBIOS name service (RFC 1002): a registration, refresh or multi-homed registration
  nbns_name,  // the 32 encoded bytes of the question name
  // mDNS/DNS-SD responses (RFC 6762, RFC 6763): a name at `value` in the message `context`
  mdns_hostname,  // owner of an A or AAAA record
  mdns_service,   // owner of an SRV record: a service instance
  // LLDP (IEEE 802.1AB) TLV values
  lldp_chassis_id,          // subtype, then the ID
  lldp_port_id,             // subtype, then the ID
  lldp_port_description,    //
  lldp_system_name,         //
  lldp_system_description,  //
  lldp_capabilities,        // system and enabled capability bits
  lldp_management_address,  // address string length, subtype, address, ...
  // CDP TLV values
  cdp_device_id,
  cdp_port_id,
  cdp_software_version,
  cdp_platform,
  // Not from a frame: the user's own name for the address (--names, an ethers file)
  user_name,
  // The tunnel that carried an inner Ethernet frame: `value` is the outer IP header (the
  // outer Ethernet addresses for 802.1ah), `context` the tunnel's own header
  tunnel_vxlan,
  tunnel_geneve,
  tunnel_gre,
  tunnel_erspan,
  tunnel_pbb,
  count_,
};
[[nodiscard]] const char* to_string(name_kind k) noexcept;
[[nodiscard]] constexpr bool is_tunnel(name_kind k) noexcept {
  return k >= name_kind::tunnel_vxlan && k < name_kind::count_;
}

// The bytes point into the frame: valid while the frame is.
struct name_hit {
  core::mac_address mac;
  name_kind kind = name_kind::dhcp_hostname;
  core::bytes value;
  core::bytes context;  // what `value` needs to be read: a DNS message, a tunnel header
};

class frame_addresses {
 public:
  static constexpr std::size_t max_addresses = 12;
  static constexpr std::size_t max_vlans = 4;
  static constexpr std::size_t max_bindings = 4;
  static constexpr std::size_t max_names = 12;

  void clear() noexcept {
    count_ = 0;
    vlan_count_ = 0;
    binding_count_ = 0;
    name_count_ = 0;
    dropped_ = 0;
    status = decode_status::ok;
    tunnelled = false;
    flags = 0;
  }
  // Adds a role to an address, merging with an earlier hit of the same address.
  void add(core::mac_address mac, std::uint16_t roles) noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (hits_[i].mac == mac) {
        hits_[i].roles |= roles;
        return;
      }
    }
    if (count_ < max_addresses) {
      hits_[count_++] = {mac, roles};
    } else {
      ++dropped_;
    }
  }
  void add_vlan(std::uint16_t vid) noexcept {
    if (vlan_count_ < max_vlans) vlans_[vlan_count_++] = vid;
  }
  [[nodiscard]] std::span<const address_hit> addresses() const noexcept {
    return {hits_.data(), count_};
  }
  [[nodiscard]] std::span<const std::uint16_t> vlans() const noexcept {
    return {vlans_.data(), vlan_count_};
  }
  // Written in place: `ip` holds 4 bytes (IPv4) or 16 (IPv6).
  void add_binding(core::mac_address mac, const std::byte* ip, bool v6, ip_source source) noexcept {
    if (binding_count_ == max_bindings) {
      ++dropped_;
      return;
    }
    ip_binding& b = bindings_[binding_count_++];
    b.mac = mac;
    b.v6 = v6;
    b.source = source;
    std::memcpy(b.ip.data(), ip, v6 ? 16 : 4);
    if (!v6) std::memset(b.ip.data() + 4, 0, 12);
  }
  void add_name(core::mac_address mac, name_kind kind, core::bytes value,
                core::bytes context = {}) noexcept {
    if (name_count_ < max_names) {
      names_[name_count_++] = {mac, kind, value, context};
    } else {
      ++dropped_;
    }
  }
  // Addresses, bindings and names past the limits above: counted, never silently lost.
  [[nodiscard]] std::size_t dropped() const noexcept { return dropped_; }
  [[nodiscard]] std::span<const name_hit> names() const noexcept {
    return {names_.data(), name_count_};
  }
  [[nodiscard]] std::span<const ip_binding> bindings() const noexcept {
    return {bindings_.data(), binding_count_};
  }
  // The frame's source address (Ethernet or cooked source, 802.11 SA), if it has one.
  [[nodiscard]] const address_hit* source() const noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if ((hits_[i].roles & role_src) != 0) return &hits_[i];
    }
    return nullptr;
  }

  decode_status status = decode_status::ok;
  bool tunnelled = false;   // an Ethernet frame was found inside a tunnel
  std::uint16_t flags = 0;  // the address_flag bits of any address in the frame

 private:
  std::array<address_hit, max_addresses> hits_{};
  std::array<std::uint16_t, max_vlans> vlans_{};
  std::array<ip_binding, max_bindings> bindings_{};
  std::array<name_hit, max_names> names_{};
  std::size_t count_ = 0;
  std::size_t name_count_ = 0;
  std::size_t vlan_count_ = 0;
  std::size_t binding_count_ = 0;
  std::size_t dropped_ = 0;
};

// Decodes one frame of the given LINKTYPE. Never reads outside `frame`.
void decode(std::uint16_t link_type, core::bytes frame, frame_addresses& out) noexcept;

}  // namespace ouiscan::capture
