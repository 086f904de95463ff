// File: vendor.h
// Everything known about one address from the OUI database and the classification rules, and
// its JSON fields, shared by the scan output and `ouiscan lookup`.
//
//   report::vendor_info v = report::describe(db, mac);
//   print(v.organization, v.prefix_text);
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ouiscan/core/mac_address.h"
#include "ouiscan/ouidb/classify.h"
#include "ouiscan/ouidb/database.h"

namespace ouiscan::report {

struct vendor_info {
  ouidb::match match;
  ouidb::classification cls;
  std::vector<std::string> holders;  // every organisation holding the matched assignment
  std::string organization;          // the holders joined with " / "; empty when none
  std::string prefix_text;           // "00:50:c2:f7:1" (the matched prefix), empty when none
  std::string source;                // who named the organisation: "" (the offline registry) or
                                     // the vendor API's name (--online)
  std::int64_t source_time = 0;      // when that API answered (Unix seconds)
};

// Names an organisation the offline database does not know (the --online answers): true when
// it filled `v` in.
using vendor_fallback = std::function<bool(core::mac_address, vendor_info& v)>;

// db may be null (no database): only the classification is filled in.
[[nodiscard]] vendor_info describe(const ouidb::database* db, core::mac_address mac,
                                   unsigned max_bits = 48);

// One short text for tables: the organisation, else the group or platform, else why unknown.
[[nodiscard]] std::string display_name(const vendor_info& v);
// "unicast", "multicast", "broadcast", "local", "random" (local and likely randomised).
[[nodiscard]] std::string_view short_class(const vendor_info& v, core::mac_address mac);

// Appends the vendor and class fields (without braces) to a JSON object under construction.
void append_json_fields(fmt::memory_buffer& b, const vendor_info& v, core::mac_address mac);
void append_json_string(fmt::memory_buffer& b, std::string_view s);
// Appends text as it is (JSON punctuation, names known to need no escape).
inline void append_raw(fmt::memory_buffer& b, std::string_view s) {
  b.append(s.data(), s.data() + s.size());
}
// Appends an unsigned integer in decimal.
inline void append_uint(fmt::memory_buffer& b, std::uint64_t v) {
  const fmt::format_int digits(v);
  b.append(digits.data(), digits.data() + digits.size());
}
// RFC 4180 quoting for a CSV field that may hold commas, quotes or line breaks.
[[nodiscard]] std::string csv_quote(std::string_view s);

}  // namespace ouiscan::report
