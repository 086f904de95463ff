// File: json.h
// The text primitives every output shares (report, lookup, the Lambda answers, the online
// cache): JSON strings escaped, numbers and raw punctuation appended to a buffer, CSV fields
// quoted, and names from packets made safe for a terminal.
//
//   fmt::memory_buffer b;
//   text::append_raw(b, "{\"name\":");
//   text::append_json_string(b, name);  // quotes and escapes
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ouiscan::text {

// A JSON string: quoted, with '"', '\\' and control characters escaped.
void append_json_string(fmt::memory_buffer& b, std::string_view s);
// Text as it is (JSON punctuation, names known to need no escape).
inline void append_raw(fmt::memory_buffer& b, std::string_view s) {
  b.append(s.data(), s.data() + s.size());
}
// An unsigned integer in decimal.
inline void append_uint(fmt::memory_buffer& b, std::uint64_t v) {
  const fmt::format_int digits(v);
  b.append(digits.data(), digits.data() + digits.size());
}
// Text for a terminal: control characters (C0, DEL, C1) written as \xNN, so that no name can
// move the cursor or change colours.
[[nodiscard]] std::string escape_terminal(std::string_view s);
// A name taken from a packet, made safe for every output: valid UTF-8 is kept, and each byte of
// an invalid sequence, and each control character (C0, DEL, C1), is written as the text \xNN.
[[nodiscard]] std::string clean_name(std::string_view bytes);
// RFC 4180 quoting for a CSV field that may hold commas, quotes or line breaks.
[[nodiscard]] std::string csv_quote(std::string_view s);

}  // namespace ouiscan::text
