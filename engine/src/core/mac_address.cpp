#include "ouiscan/core/mac_address.h"

namespace ouiscan::core {

std::optional<mac_address> mac_address::parse(std::string_view text) noexcept {
  // Collect hex digits; separators must split them into equal groups of the notation's size.
  std::uint64_t v = 0;
  int digits = 0;
  int group = 0;
  char separator = 0;
  const auto group_size = [&] { return separator == '.' ? 4 : 2; };
  for (const char c : text) {
    const int h = hex_digit(c);
    if (h >= 0) {
      if (++digits > 12) return std::nullopt;
      ++group;
      v = (v << 4) | static_cast<std::uint64_t>(h);
      continue;
    }
    if (c != ':' && c != '-' && c != '.') return std::nullopt;
    if (separator != 0 && c != separator) return std::nullopt;
    separator = c;
    if (group != group_size()) return std::nullopt;
    group = 0;
  }
  if (separator != 0 && group != group_size()) return std::nullopt;
  if (digits != 12) return std::nullopt;
  return mac_address(v);
}

void mac_address::format(char* out) const noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 6; ++i) {
    const std::uint8_t o = octet(i);
    out[3 * i] = hex[o >> 4];
    out[3 * i + 1] = hex[o & 0x0F];
    if (i < 5) out[3 * i + 2] = ':';
  }
}

std::string mac_address::to_string() const {
  std::string s(17, '\0');
  format(s.data());
  return s;
}

std::string_view to_string(address_class c) noexcept {
  switch (c) {
    case address_class::unicast:
      return "unicast";
    case address_class::multicast:
      return "multicast";
    case address_class::broadcast:
      return "broadcast";
  }
  return "unknown";
}

}  // namespace ouiscan::core
