#include "ouiscan/core/mac_address.h"

#include <vector>

namespace ouiscan::core {

namespace {

bool fail(std::string* why, std::string message) {
  if (why != nullptr) *why = std::move(message);
  return false;
}

// The hex digits of one group, appended to v; false on any other character.
bool append_group(std::string_view group, std::uint64_t& v, unsigned& digits) {
  for (const char c : group) {
    const int h = hex_digit(c);
    if (h < 0) return false;
    v = (v << 4) | static_cast<std::uint64_t>(h);
    ++digits;
  }
  return true;
}

std::string not_hex(char c) {
  if (c >= 0x21 && c < 0x7F) return std::string("has '") + c + "', not a hex digit";
  return "has a character that is not a hex digit";
}

std::string ambiguous(char separator) {
  const std::string s(1, separator);
  return "is ambiguous: groups between '" + s + "' are octets of one or two hex digits (00" + s +
         "1b" + s + "21, or write the digits bare: 001b21)";
}

}  // namespace

std::optional<mac_prefix> parse_mac_prefix(std::string_view text, std::string* why) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  const std::size_t sep_at = text.find_first_of(":-.");
  const char separator = sep_at == std::string_view::npos ? 0 : text[sep_at];
  std::vector<std::string_view> groups;
  for (std::size_t at = 0;;) {
    const std::size_t next = separator == 0 ? std::string_view::npos : text.find(separator, at);
    groups.push_back(text.substr(at, next == std::string_view::npos ? next : next - at));
    if (next == std::string_view::npos) break;
    at = next + 1;
  }
  for (const std::string_view g : groups) {
    for (const char c : g) {
      if (hex_digit(c) >= 0) continue;
      if (c == ':' || c == '-' || c == '.') {
        fail(why, "mixes separators");
      } else {
        fail(why, not_hex(c));
      }
      return std::nullopt;
    }
    if (g.empty()) return fail(why, "has an empty group"), std::nullopt;
  }
  std::uint64_t v = 0;
  unsigned digits = 0;
  if (separator == 0) {
    append_group(text, v, digits);
  } else if (separator == '.') {
    // Cisco's groups of four; a prefix may end with a shorter group.
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (groups[i].size() != 4 && !(i + 1 == groups.size() && groups[i].size() < 4)) {
        return fail(why, "is ambiguous: groups between '.' have four hex digits (001b.210a.0b0c)"),
               std::nullopt;
      }
      append_group(groups[i], v, digits);
    }
  } else {
    // Octets of one or two digits; in a prefix, a last group of one digit is a nibble.
    const bool whole = groups.size() == 6;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const std::string_view g = groups[i];
      if (g.size() > 2) {
        return fail(why, ambiguous(separator)), std::nullopt;
      }
      const bool nibble = !whole && i + 1 == groups.size() && g.size() == 1 && i > 0;
      if (g.size() == 1 && !nibble) v <<= 4, digits += 1;  // a leading zero
      append_group(g, v, digits);
    }
  }
  if (digits > 12) return fail(why, "has more than 12 hex digits"), std::nullopt;
  if (digits < 6) {
    return fail(why, "is too short: a prefix needs at least 6 hex digits (24 bits)"), std::nullopt;
  }
  return mac_prefix{mac_address(v << (4 * (12 - digits))), digits * 4};
}

std::optional<mac_address> mac_address::parse(std::string_view text) noexcept {
  try {
    const auto p = parse_mac_prefix(text);
    if (!p || p->bits != 48) return std::nullopt;
    return p->mac;
  } catch (...) {  // only an allocation failure of the group list
    return std::nullopt;
  }
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
    case address_class::null:
      return "null";
  }
  return "unknown";
}

}  // namespace ouiscan::core
