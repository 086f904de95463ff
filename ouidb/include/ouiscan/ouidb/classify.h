// File: classify.h
// What an address is from its bits and the well-known assignments, without any registry: cast
// (unicast / multicast / broadcast), universal or local administration, the IEEE 802c SLAP
// quadrant of local unicast addresses, well-known group addresses (decoded), common
// virtual-machine prefixes, and whether a local address is likely randomised. Rules and their
// sources are in docs/addresses.md.
//
//   auto c = ouidb::classify(mac);
//   if (!c.group.empty()) print(c.group, c.detail_view());
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "ouiscan/core/mac_address.h"

namespace ouiscan::ouidb {

enum class slap_quadrant : std::uint8_t {
  none,      // not a local unicast address
  aai,       // Administratively Assigned Identifier (second hex digit 2)
  eli,       // Extended Local Identifier, under a CID (second hex digit A)
  sai,       // Standard Assigned Identifier (second hex digit E)
  reserved,  // second hex digit 6
};
[[nodiscard]] std::string_view to_string(slap_quadrant q) noexcept;

struct classification {
  core::address_class cast = core::address_class::unicast;
  bool local = false;
  slap_quadrant quadrant = slap_quadrant::none;
  std::string_view group;         // a well-known group or special address: "STP", "IPv4 multicast"
  std::string_view platform;      // a virtual-machine or container platform: "VMware", "Docker"
  bool likely_random = false;     // local unicast outside every known scheme (decided with the CID)
  std::array<char, 48> detail{};  // decoded detail: "224.0.0.251", "VRID 5" (NUL-terminated)

  [[nodiscard]] std::string_view detail_view() const noexcept { return detail.data(); }
};

// Classifies from the bits and the built-in tables. `has_cid` says whether the registry holds
// the address's 24-bit prefix as a CID (an ELI address under a CID is not random).
[[nodiscard]] classification classify(core::mac_address mac, bool has_cid = false) noexcept;

}  // namespace ouiscan::ouidb
