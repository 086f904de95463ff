// File: header_text.h
// The text of HTTP header lines as both readers keep it (libcurl's header callback and
// raw_connection's own head parser): names lowercased, values without surrounding blanks or the
// line's CR LF. Private to the http library.
#pragma once

#include <string>
#include <string_view>

namespace ouiscan::http::detail {

[[nodiscard]] inline std::string_view trim_header_text(std::string_view v) noexcept {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = v.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return v.substr(first, v.find_last_not_of(blanks) - first + 1);
}

[[nodiscard]] inline std::string lowercase_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A header's name as the replies store it: "Content-Length " -> "content-length".
[[nodiscard]] inline std::string header_name(std::string_view name) {
  return lowercase_ascii(trim_header_text(name));
}

}  // namespace ouiscan::http::detail
