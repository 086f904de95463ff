// File: online.h
// --online behind the vendors stage: the prefixes of a scan's addresses that the offline
// registry cannot name, each asked once (online::resolve: rate limits, cache, budget), and a
// fallback that names the addresses from the answers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ouiscan/online/resolver.h"
#include "ouiscan/pipeline/address_table.h"
#include "ouiscan/vendors/vendor.h"

namespace ouiscan::vendors {

// What --online did, for the summary.
struct online_summary {
  bool used = false;
  std::string service;         // the API's name
  std::uint64_t prefixes = 0;  // unknown offline, eligible to be asked about
  std::uint64_t from_cache = 0;
  std::uint64_t requests = 0;
  std::uint64_t found = 0;
  std::uint64_t not_found = 0;
  std::vector<std::pair<std::string, std::string>> unresolved;  // prefix, why
};

class online_answers {
 public:
  // Asks about the addresses' unknown prefixes (blocking, under the options' limits).
  online_answers(const ouidb::database* db, const pipeline::address_table& addresses,
                 const online::options& options);
  [[nodiscard]] const online_summary& summary() const noexcept { return summary_; }
  // "N prefixes unresolved: a (why), b (why), ... K more", or "" when all were answered.
  [[nodiscard]] std::string unresolved_text() const;
  // Names an address from the answers; valid while this object lives.
  [[nodiscard]] vendor_fallback fallback() const;

 private:
  online::outcome asked_;
  online_summary summary_;
};

}  // namespace ouiscan::vendors
