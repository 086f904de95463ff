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
