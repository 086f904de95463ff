// File: link_type.h
// LINKTYPE_* values (tcpdump.org/linktypes) with their names and what ouiscan reads from them.
//
//   const auto& info = ouiscan::capture::link_info_of(127);  // {"IEEE802_11_RADIOTAP", wifi}
#pragma once

#include <cstdint>
#include <string_view>

namespace ouiscan::capture {

namespace linktype {
inline constexpr std::uint16_t null = 0;
inline constexpr std::uint16_t ethernet = 1;
inline constexpr std::uint16_t fddi = 10;
inline constexpr std::uint16_t raw = 101;
inline constexpr std::uint16_t ieee802_11 = 105;
inline constexpr std::uint16_t linux_sll = 113;
inline constexpr std::uint16_t ieee802_11_radiotap = 127;
inline constexpr std::uint16_t user2 = 149;  // Apple's PKTAP before it had its own number
inline constexpr std::uint16_t juniper_ether = 178;
inline constexpr std::uint16_t ppi = 192;
inline constexpr std::uint16_t pktap = 258;
inline constexpr std::uint16_t linux_sll2 = 276;
inline constexpr std::uint16_t dsa_tag_brcm = 281;
inline constexpr std::uint16_t dsa_tag_brcm_prepend = 282;
inline constexpr std::uint16_t dsa_tag_dsa = 284;
inline constexpr std::uint16_t dsa_tag_edsa = 285;
}  // namespace linktype

// How a link type carries MAC addresses.
enum class link_family : std::uint8_t {
  unknown,    // a link type ouiscan does not know: counted and named in the summary
  no_mac,     // known, but its link-layer header has no IEEE 802 MAC addresses (raw IP, PPP, ...)
  ethernet,   // an Ethernet header, possibly behind a pseudo-header (Juniper, PKTAP, DSA)
  linux_sll,  // Linux cooked v1 / v2: one source address
  wifi,       // IEEE 802.11, bare or behind radiotap / PPI
};

struct link_info {
  std::string_view name;  // "ETHERNET", or "" when unknown
  link_family family;
};

[[nodiscard]] link_info link_info_of(std::uint16_t link_type) noexcept;

}  // namespace ouiscan::capture
