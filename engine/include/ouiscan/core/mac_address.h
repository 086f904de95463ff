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
  // Accepts "aa:bb:cc:dd:ee:ff", "aa-bb-..", "aabb.ccdd.eeff" and 12 bare hex digits.
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

  friend constexpr auto operator<=>(mac_address, mac_address) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};

// The classes an address has from its bits alone (no registry needed).
enum class address_class : std::uint8_t { unicast, multicast, broadcast };
[[nodiscard]] constexpr address_class class_of(mac_address mac) noexcept {
  if (mac.is_broadcast()) return address_class::broadcast;
  return mac.is_group() ? address_class::multicast : address_class::unicast;
}
[[nodiscard]] std::string_view to_string(address_class c) noexcept;

}  // namespace ouiscan::core
