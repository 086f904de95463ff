// File: naming.h
// The vendors stage: every address of a scan looked up once, after extraction (never in the
// per-packet path), addresses under one assignment with the same classes sharing one
// description, and the --online answers (online.h) filling in what the registry cannot name.
//
//   vendors::naming named = vendors::name_addresses(scanner.addresses(), &db);
//   for (const auto& a : named.addresses) print(a.mac, a.vendor->organization);
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "ouiscan/pipeline/address_table.h"
#include "ouiscan/vendors/vendor.h"

namespace ouiscan::vendors {

// One address with its statistics (in the scan's address table) and its description.
struct named_address {
  core::mac_address mac;
  const pipeline::address_stats* stats;
  const vendor_info*
      vendor;  // shared by the addresses that the registry and classes describe alike
  // Copies of stats->frames and arp_frames: sorting millions of entries by them should not
  // chase a pointer into the address table per comparison.
  std::uint64_t frames = 0;
  std::uint64_t arp_frames = 0;
};

struct vendor_count {
  std::string name;  // display name (organisation, group or platform)
  std::uint64_t addresses = 0;
};

struct naming {
  std::vector<named_address> addresses;  // in address order
  std::deque<vendor_info> descriptions;  // what they point to (a deque keeps them in place)
  std::vector<vendor_count> per_vendor;  // addresses per display name, most first
  double seconds = 0;                    // spent looking up and classifying
};

// db may be null (classes only); `table` must outlive the result.
[[nodiscard]] naming name_addresses(const pipeline::address_table& table, const ouidb::database* db,
                                    const vendor_fallback& fallback = {});

}  // namespace ouiscan::vendors
