#include "ouiscan/text/json.h"

#include <algorithm>
#include <iterator>

namespace ouiscan::text {

void append_json_string(fmt::memory_buffer& b, std::string_view s) {
  b.push_back('"');
  // Runs of characters that need no escape (nearly every name) are appended whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    b.append(s.data() + run, s.data() + i);
    run = i + 1;
    switch (c) {
      case '"':
        append_raw(b, "\\\"");
        break;
      case '\\':
        append_raw(b, "\\\\");
        break;
      case '\n':
        append_raw(b, "\\n");
        break;
      case '\t':
        append_raw(b, "\\t");
        break;
      case '\r':
        append_raw(b, "\\r");
        break;
      default:
        fmt::format_to(std::back_inserter(b), "\\u{:04x}", unsigned{c});
    }
  }
  b.append(s.data() + run, s.data() + s.size());
  b.push_back('"');
}

std::string escape_terminal(std::string_view s) {
  const auto is_control = [](unsigned char c) { return c < 0x20 || c == 0x7F; };
  if (std::none_of(s.begin(), s.end(),
                   [&](char c) { return is_control(static_cast<unsigned char>(c)); }) &&
      s.find('\xC2') == std::string_view::npos) {
    return std::string(s);
  }
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    // C1 controls are U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8.
    const bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (is_control(c) || c1) {
      const unsigned v = c1 ? static_cast<unsigned char>(s[++i]) : c;
      out += fmt::format("\\x{:02x}", v);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {
// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no surrogates,
// nothing past U+10FFFF), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = at(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return n;
}
}  // namespace

std::string clean_name(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const std::size_t n = utf8_length(bytes, i);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(bytes[i + 1]) <= 0x9F;
    if (n == 0 || c < 0x20 || c == 0x7F || c1) {
      const unsigned v = c1 ? static_cast<unsigned char>(bytes[i + 1]) : c;
      out += fmt::format("\\x{:02x}", v);
      i += c1 ? 2 : 1;
      continue;
    }
    out.append(bytes.substr(i, n));
    i += n;
  }
  return out;
}

std::string csv_quote(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace ouiscan::text
