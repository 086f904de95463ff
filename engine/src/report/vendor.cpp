#include "ouiscan/report/vendor.h"

#include <iterator>

#include "ouiscan/report/inventory.h"

namespace ouiscan::report {

vendor_info describe(const ouidb::database* db, core::mac_address mac, unsigned max_bits) {
  vendor_info v;
  bool has_cid = false;
  if (db != nullptr) {
    v.match = db->lookup(mac, max_bits);
    ouidb::name_buffer buf;
    if (v.match.status == ouidb::match_status::assigned) {
      for (std::uint32_t i = 0; i < v.match.holders; ++i) {
        v.holders.emplace_back(db->organization(v.match, i, buf));
        if (i > 0) v.organization += " / ";
        v.organization += v.holders.back();
      }
      has_cid = v.match.reg == ouidb::registry::cid;
    }
    if (v.match.status != ouidb::match_status::not_found) {
      const unsigned digits = v.match.bits / 4;
      for (unsigned d = 0; d < digits; ++d) {
        if (d > 0 && d % 2 == 0) v.prefix_text += ':';
        v.prefix_text += "0123456789abcdef"[(v.match.prefix >> (4 * (digits - 1 - d))) & 0xF];
      }
    }
  }
  v.cls = ouidb::classify(mac, has_cid);
  return v;
}

std::string_view short_class(const vendor_info& v, core::mac_address mac) {
  if (v.cls.cast != core::address_class::unicast) return core::to_string(v.cls.cast);
  if (v.cls.likely_random) return "random";
  return mac.is_local() ? "local" : "unicast";
}

std::string display_name(const vendor_info& v) {
  if (!v.cls.group.empty()) {
    std::string s(v.cls.group);
    if (!v.cls.detail_view().empty()) s = fmt::format("{} {}", s, v.cls.detail_view());
    if (!v.organization.empty()) s = fmt::format("{} ({})", s, v.organization);
    return s;
  }
  if (!v.organization.empty()) {
    if (v.cls.platform.empty()) return v.organization;
    return fmt::format("{} [{}]", v.organization, v.cls.platform);
  }
  if (!v.cls.platform.empty()) return std::string(v.cls.platform);
  if (v.match.status == ouidb::match_status::unassigned_subblock) {
    return fmt::format("(unassigned sub-block of {})", v.prefix_text);
  }
  if (v.cls.likely_random) return "(randomised)";
  return "(unknown)";
}

void append_json_string(fmt::memory_buffer& b, std::string_view s) {
  b.push_back('"');
  // Runs of characters that need no escape (nearly every name) are appended whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    b.append(s.data() + run, s.data() + i);
    run = i + 1;
    switch (c) {
      case '"':
        append_raw(b, "\\\"");
        break;
      case '\\':
        append_raw(b, "\\\\");
        break;
      case '\n':
        append_raw(b, "\\n");
        break;
      case '\t':
        append_raw(b, "\\t");
        break;
      case '\r':
        append_raw(b, "\\r");
        break;
      default:
        fmt::format_to(std::back_inserter(b), "\\u{:04x}", unsigned{c});
    }
  }
  b.append(s.data() + run, s.data() + s.size());
  b.push_back('"');
}

void append_json_fields(fmt::memory_buffer& b, const vendor_info& v, core::mac_address mac) {
  const auto str_or_null = [&](std::string_view s) {
    if (s.empty()) {
      append_raw(b, "null");
    } else {
      append_json_string(b, s);
    }
  };
  append_raw(b, "\"class\":\"");
  append_raw(b, core::to_string(v.cls.cast));
  append_raw(b, mac.is_local() ? "\",\"admin\":\"local\",\"vendor\":"
                               : "\",\"admin\":\"universal\",\"vendor\":");
  str_or_null(v.organization);
  if (!v.organization.empty()) {
    if (v.source.empty()) {
      append_raw(b, ",\"vendor_source\":\"ieee-registry\"");
    } else {
      append_raw(b, ",\"vendor_source\":");
      append_json_string(b, v.source);
      append_raw(b, ",\"vendor_fetched\":");
      append_json_time(b, v.source_time * 1'000'000'000);
    }
  }
  append_raw(b, ",\"vendors\":[");
  for (std::size_t i = 0; i < v.holders.size(); ++i) {
    if (i > 0) b.push_back(',');
    append_json_string(b, v.holders[i]);
  }
  std::string_view status = "not_found";
  if (v.match.status == ouidb::match_status::assigned) status = "assigned";
  if (v.match.status == ouidb::match_status::unassigned_subblock) status = "unassigned_subblock";
  append_raw(b, "],\"vendor_status\":\"");
  append_raw(b, status);
  append_raw(b, "\",\"registry\":");
  str_or_null(v.match.status == ouidb::match_status::not_found ? std::string_view{}
                                                               : ouidb::to_string(v.match.reg));
  append_raw(b, ",\"prefix\":");
  str_or_null(v.prefix_text);
  append_raw(b, ",\"prefix_bits\":");
  append_uint(b, v.match.bits);
  append_raw(b, ",\"holders\":");
  append_uint(b, v.match.holders);
  append_raw(b, v.match.is_private ? ",\"private\":true" : ",\"private\":false");
  append_raw(b, ",\"quadrant\":");
  str_or_null(ouidb::to_string(v.cls.quadrant));
  append_raw(b, ",\"group\":");
  str_or_null(v.cls.group);
  append_raw(b, ",\"group_detail\":");
  str_or_null(v.cls.detail_view());
  append_raw(b, ",\"platform\":");
  str_or_null(v.cls.platform);
  append_raw(b, v.cls.likely_random ? ",\"likely_random\":true" : ",\"likely_random\":false");
}

}  // namespace ouiscan::report

namespace ouiscan::report {

std::string csv_quote(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace ouiscan::report
