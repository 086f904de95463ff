// File: mac_address.h
// A 48-bit IEEE 802 MAC address held in the low bits of a uint64_t (first octet most
// significant), so that it sorts like its text and hashes as one integer.
//
//   auto mac = ouiscan::core::mac_address::from_bytes(frame + 6);
//   std::string text = mac.to_string();   // "00:1b:21:0a:0b:0c"
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ouiscan::core {

// The value of a hex digit (either case), or -1.
[[nodiscard]] constexpr int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class mac_address {
 public:
  static constexpr std::uint64_t mask = 0xFFFF'FFFF'FFFFULL;

  constexpr mac_address() noexcept = default;
  constexpr explicit mac_address(std::uint64_t value) noexcept : value_(value & mask) {}

  [[nodiscard]] static mac_address from_bytes(const std::byte* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 6; ++i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
    return mac_address(v);
  }
  // A whole address in any notation parse_mac_prefix accepts (48 bits).
  [[nodiscard]] static std::optional<mac_address> parse(std::string_view text) noexcept;

  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return value_; }
  [[nodiscard]] constexpr std::uint8_t octet(int i) const noexcept {
    return static_cast<std::uint8_t>(value_ >> (8 * (5 - i)));
  }
  // Individual/group bit (I/G): the least significant bit of the first octet.
  [[nodiscard]] constexpr bool is_group() const noexcept { return (octet(0) & 0x01) != 0; }
  // Universal/local bit (U/L): the second least significant bit of the first octet.
  [[nodiscard]] constexpr bool is_local() const noexcept { return (octet(0) & 0x02) != 0; }
  [[nodiscard]] constexpr bool is_broadcast() const noexcept { return value_ == mask; }

  // Writes the 17-character lowercase colon form into out (no terminator).
  void format(char* out) const noexcept;
  [[nodiscard]] std::string to_string() const;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend constexpr auto operator<=>(mac_address, mac_address) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};

// An address, or a prefix of one: the top `bits` bits of mac (the rest are zero).
struct mac_prefix {
  mac_address mac;
  unsigned bits = 48;
};

// Reads an address or a prefix of 24 to 44 bits, as people write them (surrounding blanks
// ignored):
//   "00:1b:21:0a:0b:0c", "00-1B-21-0A-0B-0C"  octets; one digit is padded ("0:1b:21:a:b:c",
//                                            the form arp -an prints on macOS and the BSDs)
//   "001b.210a.0b0c"                         groups of four digits (Cisco)
//   "001b210a0b0c", "0050C2F"                bare hex, 6 to 12 digits
//   "00:1b:21", "00-1B-C5-0", "00:50:c2:f7:1" prefixes: whole octets, and in a prefix a last
//                                            group of one digit is a nibble (IEEE's MA-M/MA-S
//                                            notation)
// Groupings that could mean two things ("001b:21") are refused. On failure, *why (when given)
// says what is wrong.
[[nodiscard]] std::optional<mac_prefix> parse_mac_prefix(std::string_view text,
                                                         std::string* why = nullptr);

// The classes an address has from its bits alone (no registry needed). The null address
// 00:00:00:00:00:00 is no station's: it is the target of ARP requests and the loopback address
// of Linux cooked captures.
enum class address_class : std::uint8_t { unicast, multicast, broadcast, null };
[[nodiscard]] constexpr address_class class_of(mac_address mac) noexcept {
  if (mac.is_broadcast()) return address_class::broadcast;
  if (mac.value() == 0) return address_class::null;
  return mac.is_group() ? address_class::multicast : address_class::unicast;
}
[[nodiscard]] std::string_view to_string(address_class c) noexcept;

}  // namespace ouiscan::core
