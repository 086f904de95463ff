#include "ouiscan/vendors/online.h"

#include <fmt/format.h>

#include <set>

namespace ouiscan::vendors {

online_answers::online_answers(const ouidb::database* db, const pipeline::address_table& addresses,
                               const online::options& options) {
  std::set<online::prefix> wanted;
  addresses.for_each([&](core::mac_address mac, const pipeline::address_stats&) {
    if (auto p = online::needs_lookup(db, mac)) wanted.insert(*p);
  });
  asked_ = online::resolve(wanted, options);
  summary_.used = true;
  summary_.service = options.service.name;
  summary_.prefixes = wanted.size();
  summary_.from_cache = asked_.from_cache;
  summary_.requests = asked_.requests;
  for (const auto& [p, a] : asked_.answers) ++(a.found ? summary_.found : summary_.not_found);
  for (const auto& [p, why] : asked_.unresolved) summary_.unresolved.emplace_back(p.text(), why);
}

std::string online_answers::unresolved_text() const {
  if (asked_.unresolved.empty()) return {};
  std::string list;
  std::size_t shown = 0;
  for (const auto& [p, why] : asked_.unresolved) {
    if (shown++ == 5) {
      list += fmt::format(", ... {} more", asked_.unresolved.size() - 5);
      break;
    }
    list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", p.text(), why);
  }
  return fmt::format("{} prefixes unresolved: {}", asked_.unresolved.size(), list);
}

vendor_fallback online_answers::fallback() const {
  return [this](core::mac_address mac, vendor_info& v) {
    const auto p = online::needs_lookup(mac, v.match);  // v holds the offline answer
    const auto it = p ? asked_.answers.find(*p) : asked_.answers.end();
    if (it == asked_.answers.end() || !it->second.found) return false;
    v.organization = it->second.vendor;
    v.holders = {it->second.vendor};
    v.source = it->second.source;
    v.source_time = it->second.fetched;
    return true;
  };
}

}  // namespace ouiscan::vendors
