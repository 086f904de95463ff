#include "ouiscan/vendors/naming.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace ouiscan::vendors {
namespace {

bool same_class(const ouidb::classification& a, const ouidb::classification& b) {
  return a.cast == b.cast && a.local == b.local && a.quadrant == b.quadrant && a.group == b.group &&
         a.platform == b.platform && a.likely_random == b.likely_random &&
         a.detail_view() == b.detail_view();
}

bool same_assignment(const ouidb::match& a, const ouidb::match& b) {
  return a.status == b.status && a.reg == b.reg && a.bits == b.bits && a.prefix == b.prefix &&
         a.first == b.first && a.holders == b.holders;
}

}  // namespace

naming name_addresses(const pipeline::address_table& table, const ouidb::database* db,
                      const vendor_fallback& fallback, const manuf_table* manuf) {
  naming out;
  out.addresses.reserve(table.size());
  table.for_each([&](core::mac_address, const pipeline::address_stats& s) {
    out.addresses.push_back({&s, nullptr});
  });
  // One lookup per distinct address, after extraction: never in the per-packet path. In address
  // order, the lookups touch the database in order, and the addresses under one assignment
  // with the same classes are adjacent, so they share one description (names decoded once):
  // millions of addresses cost a few bytes each, not a copy of their vendor's strings.
  const auto lookup_start = std::chrono::steady_clock::now();
  sort_by_key(out.addresses, [](const named_address& a) { return a.mac(); });
  std::vector<std::uint64_t> uses;
  std::uint64_t last_mac = 0;
  const manuf_entry* last_private = nullptr;  // the --manuf assignment of the last address
  for (named_address& e : out.addresses) {
    const core::mac_address mac = e.mac();
    const vendor_info* last = out.descriptions.empty() ? nullptr : &out.descriptions.back();
    const manuf_entry* private_entry = manuf != nullptr ? manuf->lookup(mac) : nullptr;
    if (private_entry != nullptr || last_private != nullptr) {
      if (private_entry == nullptr || private_entry != last_private ||
          !same_class(ouidb::classify(mac, false), last->cls)) {
        last = nullptr;
      }
      if (last == nullptr && private_entry != nullptr) {
        out.descriptions.push_back(describe_private(*private_entry, mac));
        uses.push_back(0);
        last = &out.descriptions.back();
      }
    } else if (last != nullptr) {
      const ouidb::match m = db != nullptr ? db->lookup(mac) : ouidb::match{};
      const bool has_cid =
          m.status == ouidb::match_status::assigned && m.reg == ouidb::registry::cid;
      // Unknown universal addresses may each have an online answer of their own: they share a
      // description only within one 24-bit prefix.
      const unsigned shift = m.status == ouidb::match_status::unassigned_subblock ? 12 : 24;
      const bool may_differ = fallback && m.status != ouidb::match_status::assigned &&
                              !mac.is_local() && (mac.value() >> shift) != (last_mac >> shift);
      if (may_differ || !same_assignment(m, last->match) ||
          !same_class(ouidb::classify(mac, has_cid), last->cls)) {
        last = nullptr;
      }
    }
    if (last == nullptr) {
      out.descriptions.push_back(describe(db, mac));
      if (fallback && out.descriptions.back().organization.empty()) {
        fallback(mac, out.descriptions.back());
      }
      uses.push_back(0);
      last = &out.descriptions.back();
    }
    e.vendor = last;
    last_private = private_entry;
    last_mac = mac.value();
    ++uses.back();
  }
  const double lookup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - lookup_start).count();
  // One company is counted once whatever the spelling of its registrations ("Apple, Inc.",
  // "APPLE INC"): grouped by canonical name, shown by the spelling most of its addresses have.
  std::map<std::string, std::map<std::string, std::uint64_t>> per_company;
  for (std::size_t i = 0; i < out.descriptions.size(); ++i) {
    std::string name = display_name(out.descriptions[i]);
    per_company[canonical_name(name)][std::move(name)] += uses[i];
  }
  for (const auto& [company, spellings] : per_company) {
    vendor_count c;
    std::uint64_t most = 0;
    for (const auto& [name, n] : spellings) {
      c.addresses += n;
      if (n > most) {
        most = n;
        c.name = name;
      }
    }
    out.per_vendor.push_back(std::move(c));
  }
  std::sort(out.per_vendor.begin(), out.per_vendor.end(),
            [](const vendor_count& a, const vendor_count& b) {
              return a.addresses != b.addresses ? a.addresses > b.addresses : a.name < b.name;
            });
  out.seconds = lookup_seconds;
  return out;
}

}  // namespace ouiscan::vendors
