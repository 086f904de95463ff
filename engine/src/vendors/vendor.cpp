#include "ouiscan/vendors/vendor.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace ouiscan::vendors {

namespace {

std::string prefix_text(const ouidb::match& m) {
  std::string text;
  const unsigned digits = m.bits / 4;
  for (unsigned d = 0; d < digits; ++d) {
    if (d > 0 && d % 2 == 0) text += ':';
    text += "0123456789abcdef"[(m.prefix >> (4 * (digits - 1 - d))) & 0xF];
  }
  return text;
}

std::string holders_of(const ouidb::database& db, const ouidb::match& m,
                       std::vector<std::string>* each) {
  std::string joined;
  ouidb::name_buffer buf;
  for (std::uint32_t i = 0; i < m.holders; ++i) {
    const std::string_view name = db.organization(m, i, buf);
    if (i > 0) joined += " / ";
    joined += name;
    if (each != nullptr) each->emplace_back(name);
  }
  return joined;
}

}  // namespace

vendor_info describe(const ouidb::database* db, core::mac_address mac, unsigned max_bits) {
  vendor_info v;
  bool has_cid = false;
  const bool null_address = mac.value() == 0 && max_bits >= 48;
  if (db != nullptr && !null_address) {
    v.match = db->lookup(mac, max_bits);
    if (v.match.status == ouidb::match_status::assigned) {
      v.organization = holders_of(*db, v.match, &v.holders);
      has_cid = v.match.reg == ouidb::registry::cid;
    }
    if (v.match.status != ouidb::match_status::not_found) v.prefix_text = prefix_text(v.match);
    for (const ouidb::match& m : db->within(mac, max_bits)) {
      v.covered.push_back({m, holders_of(*db, m, nullptr), prefix_text(m)});
    }
  }
  v.cls = ouidb::classify(mac, has_cid);
  if (v.cls.cast == core::address_class::null && !null_address) {
    v.cls = {};  // the prefix 00:00:00 is Xerox's block; only the whole address is null
  }
  return v;
}

std::string_view class_name(const vendor_info& v, core::mac_address mac) {
  if (v.cls.cast != core::address_class::unicast) return core::to_string(v.cls.cast);
  if (v.cls.likely_random) return "random";
  return mac.is_local() ? "local" : "unicast";
}

std::string_view vendor_status(const vendor_info& v) {
  if (v.cls.cast == core::address_class::null && v.match.status == ouidb::match_status::not_found) {
    return "not_applicable";
  }
  switch (v.match.status) {
    case ouidb::match_status::assigned:
      return "assigned";
    case ouidb::match_status::unassigned_subblock:
      return v.covered.empty() ? "unassigned_subblock" : "covers_assignments";
    case ouidb::match_status::not_found:
      break;
  }
  return "not_found";
}

std::string_view vendor_source(const vendor_info& v) {
  if (v.organization.empty()) return {};
  return v.source.empty() ? std::string_view("ieee-registry") : std::string_view(v.source);
}

std::string_view registry_name(const vendor_info& v) {
  return v.match.status == ouidb::match_status::not_found ? std::string_view{}
                                                          : ouidb::to_string(v.match.reg);
}

std::array<std::size_t, ouidb::registry_count> covered_per_registry(const vendor_info& v) {
  std::array<std::size_t, ouidb::registry_count> per{};
  for (const assignment& a : v.covered) ++per[static_cast<std::size_t>(a.match.reg)];
  return per;
}

std::string covered_counts(const vendor_info& v) {
  const auto per = covered_per_registry(v);
  std::string text;
  for (std::size_t r = 0; r < per.size(); ++r) {
    if (per[r] == 0) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", per[r], ouidb::to_string(static_cast<ouidb::registry>(r)));
  }
  return text;
}

std::string display_name(const vendor_info& v) {
  if (!v.cls.group.empty()) {
    std::string s(v.cls.group);
    if (!v.cls.detail_view().empty()) s = fmt::format("{} {}", s, v.cls.detail_view());
    if (!v.organization.empty()) s = fmt::format("{} ({})", s, v.organization);
    return s;
  }
  if (!v.organization.empty()) {
    if (!v.covered.empty()) {
      return fmt::format("{} (subdivided: {})", v.organization, covered_counts(v));
    }
    if (v.cls.platform.empty()) return v.organization;
    return fmt::format("{} [{}]", v.organization, v.cls.platform);
  }
  if (!v.cls.platform.empty()) return std::string(v.cls.platform);
  if (!v.covered.empty()) return fmt::format("(covers {} assignments)", covered_counts(v));
  if (v.match.status == ouidb::match_status::unassigned_subblock) {
    return fmt::format("(unassigned sub-block of {})", v.prefix_text);
  }
  if (v.cls.likely_random) return "(randomised)";
  return "(unknown)";
}

}  // namespace ouiscan::vendors
