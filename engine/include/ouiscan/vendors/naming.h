// File: naming.h
// The vendors stage: every address of a scan looked up once, after extraction (never in the
// per-packet path), addresses under one assignment with the same classes sharing one
// description, and the --online answers (online.h) filling in what the registry cannot name.
//
//   vendors::naming named = vendors::name_addresses(scanner.addresses(), &db);
//   for (const auto& a : named.addresses) print(a.mac(), a.vendor->organization);
#pragma once

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ouiscan/pipeline/address_table.h"
#include "ouiscan/vendors/vendor.h"

namespace ouiscan::vendors {

// One address with its statistics (in the scan's address table) and its description.
struct named_address {
  const pipeline::address_stats* stats = nullptr;
  const vendor_info* vendor =
      nullptr;  // shared by the addresses that the registry and classes describe alike
  [[nodiscard]] core::mac_address mac() const noexcept { return stats->mac(); }
};

// Orders addresses by a key computed once per address, equal keys in their present order:
// millions of keys compared in one compact array, instead of following two pointers into the
// table per comparison. Runs on the threads of the calling task arena.
template <typename KeyFn>
void sort_by_key(std::vector<named_address>& addresses, KeyFn&& key) {
  using key_type = std::decay_t<std::invoke_result_t<KeyFn&, const named_address&>>;
  const std::size_t n = addresses.size();
  std::vector<std::pair<key_type, std::size_t>> keyed(n);
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) { keyed[i] = {key(addresses[i]), i}; });
  tbb::parallel_sort(keyed.begin(), keyed.end());
  std::vector<named_address> sorted(n);
  tbb::parallel_for(std::size_t{0}, n,
                    [&](std::size_t i) { sorted[i] = addresses[keyed[i].second]; });
  addresses = std::move(sorted);
}

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

// db may be null (classes only); `table` must outlive the result. An address under an
// assignment of `manuf` (a --manuf file, when given) is named by it, not by the registry.
[[nodiscard]] naming name_addresses(const pipeline::address_table& table, const ouidb::database* db,
                                    const vendor_fallback& fallback = {},
                                    const manuf_table* manuf = nullptr);

}  // namespace ouiscan::vendors
