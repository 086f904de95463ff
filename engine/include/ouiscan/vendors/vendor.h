// File: vendor.h
// Everything known about one address from the OUI database and the classification rules,
// shared by the scan output and `ouiscan lookup`.
//
//   vendors::vendor_info v = vendors::describe(db, mac);
//   print(v.organization, v.prefix_text);
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/mac_address.h"
#include "ouiscan/ouidb/classify.h"
#include "ouiscan/ouidb/database.h"
#include "ouiscan/vendors/wireshark_files.h"

namespace ouiscan::vendors {

// An assignment by its match, as the tables print it.
struct assignment {
  ouidb::match match;
  std::string organization;  // its holders joined with " / "
  std::string prefix_text;   // "00:1b:c5:00:1"
};

struct vendor_info {
  ouidb::match match;
  ouidb::classification cls;
  std::vector<std::string> holders;  // every organisation holding the matched assignment
  std::string organization;          // the holders joined with " / "; empty when none
  std::string prefix_text;           // "00:50:c2:f7:1" (the matched prefix), empty when none
  std::string source;                // who named the organisation: "" (the offline registry) or
                                     // the vendor API's name (--online)
  std::int64_t source_time = 0;      // when that API answered (Unix seconds)
  std::vector<assignment> covered;   // a prefix query: the longer assignments inside it
  std::string short_name;            // a --manuf file's short name; empty: short_organization()
                                     // derives it
};

// vendor_info::source of an assignment read from a --manuf file.
inline constexpr std::string_view manuf_source = "manuf";

// Names an organisation the offline database does not know (the --online answers): true when
// it filled `v` in.
using vendor_fallback = std::function<bool(core::mac_address, vendor_info& v)>;

// db may be null (no database): only the classification is filled in. A whole null address
// (00:00:00:00:00:00) gets no vendor: the registry's 00:00:00 (Xerox) is no station's
// (docs/addresses.md); a prefix query of it still gets the registry's answer.
[[nodiscard]] vendor_info describe(const ouidb::database* db, core::mac_address mac,
                                   unsigned max_bits = 48);

// One short text for tables: the organisation, else the group or platform, else why unknown.
[[nodiscard]] std::string display_name(const vendor_info& v);
// The organisation's name as Wireshark's manuf file shortens it, for tables (docs/addresses.md,
// "Vendor names"): legal forms and generic words dropped, the other words run together, cut to
// 8 characters. "Cisco Systems, Inc" -> "Cisco", "Hewlett Packard" -> "HewlettP".
[[nodiscard]] std::string short_name(std::string_view organization);
// One key per company whatever the spelling of its registrations: the words short_name keeps,
// lowercased and joined by spaces ("Apple, Inc." and "APPLE INC" -> "apple").
[[nodiscard]] std::string canonical_name(std::string_view organization);
// The short name of the first holder of v's assignment; "" when v names none.
[[nodiscard]] std::string short_organization(const vendor_info& v);
// display_name() with short_organization(): the table's text.
[[nodiscard]] std::string short_display_name(const vendor_info& v);
// An address under a --manuf file's assignment: its names, prefix and classes.
[[nodiscard]] vendor_info describe_private(const manuf_entry& e, core::mac_address mac);
// The class, one vocabulary for every format: "unicast" (universal), "local" (locally
// administered), "random" (local and likely randomised), "multicast", "broadcast", "null".
[[nodiscard]] std::string_view class_name(const vendor_info& v, core::mac_address mac);
// "assigned", "unassigned_subblock", "covers_assignments", "not_found" or "not_applicable".
[[nodiscard]] std::string_view vendor_status(const vendor_info& v);
// Who named the vendor: "ieee-registry", an API's name, or "" when there is no vendor.
[[nodiscard]] std::string_view vendor_source(const vendor_info& v);
// The matched registry's name ("MA-L"), or "" when nothing matched.
[[nodiscard]] std::string_view registry_name(const vendor_info& v);
// How many of the assignments a prefix covers are in each registry (indexed by ouidb::registry).
[[nodiscard]] std::array<std::size_t, ouidb::registry_count> covered_per_registry(
    const vendor_info& v);
// "4096 MA-S" or "3 MA-M, 12 MA-S": how many assignments a prefix covers, per registry.
[[nodiscard]] std::string covered_counts(const vendor_info& v);

}  // namespace ouiscan::vendors
