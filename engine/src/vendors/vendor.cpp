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

vendor_info describe_private(const manuf_entry& e, core::mac_address mac) {
  vendor_info v;
  v.match.status = ouidb::match_status::assigned;
  v.match.bits = static_cast<std::uint8_t>(e.prefix.bits);
  v.match.prefix = e.prefix.mac.value() >> (48 - e.prefix.bits);
  v.match.holders = 1;
  v.holders = {e.organization};
  v.organization = e.organization;
  v.short_name = e.short_name;
  v.prefix_text = prefix_text(v.match);
  v.source = manuf_source;
  v.cls = ouidb::classify(mac, false);
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
  if (v.source == manuf_source) return {};
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

namespace {

// Words that say what kind of company it is, not which: legal forms in the registry's
// languages and a few generic words, as Wireshark's manuf generator drops them.
constexpr std::array<std::string_view, 38> kGeneralWords = {
    "a",       "a/s",  "ab",          "ag",      "as",  "bhd",  "bv",  "co",
    "company", "corp", "corporation", "cv",      "de",  "gmbh", "inc", "incorporated",
    "jsc",     "kg",   "kk",          "limited", "llc", "ltd",  "nv",  "of",
    "oy",      "oyj",  "plc",         "pty",     "pvt", "sa",   "sas", "sdn",
    "spa",     "srl",  "systems",     "the",     "zao", "zoo"};

bool is_general(std::string_view word) {
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return std::find(kGeneralWords.begin(), kGeneralWords.end(), lower) != kGeneralWords.end();
}

// The words of an organisation's name that tell companies apart. Dots go first, so that
// "S.p.A." is one word; '-', '&', '+' and '/' belong to the word they are in, and bytes of
// UTF-8 sequences are letters.
std::vector<std::string> telling_words(std::string_view organization) {
  std::vector<std::string> words;
  std::string word;
  const auto end_word = [&] {
    if (word.find_first_not_of("-&+/") != std::string::npos) words.push_back(word);
    word.clear();
  };
  for (const char c : organization) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') continue;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || u >= 0x80 ||
        c == '-' || c == '&' || c == '+' || c == '/') {
      word += c;
    } else {
      end_word();
    }
  }
  end_word();
  std::vector<std::string> kept;
  std::copy_if(words.begin(), words.end(), std::back_inserter(kept),
               [](const std::string& w) { return !is_general(w); });
  return kept.empty() ? words : kept;
}

std::string name_with(const vendor_info& v, std::string_view organization) {
  if (!v.cls.group.empty()) {
    std::string s(v.cls.group);
    if (!v.cls.detail_view().empty()) s = fmt::format("{} {}", s, v.cls.detail_view());
    if (!organization.empty()) s = fmt::format("{} ({})", s, organization);
    return s;
  }
  if (!organization.empty()) {
    if (!v.covered.empty()) {
      return fmt::format("{} (subdivided: {})", organization, covered_counts(v));
    }
    if (v.cls.platform.empty()) return std::string(organization);
    return fmt::format("{} [{}]", organization, v.cls.platform);
  }
  if (!v.cls.platform.empty()) return std::string(v.cls.platform);
  if (!v.covered.empty()) return fmt::format("(covers {} assignments)", covered_counts(v));
  if (v.match.status == ouidb::match_status::unassigned_subblock) {
    return fmt::format("(unassigned sub-block of {})", v.prefix_text);
  }
  if (v.cls.likely_random) return "(randomised)";
  return "(unknown)";
}

}  // namespace

std::string short_name(std::string_view organization) {
  constexpr std::size_t max_chars = 8;
  std::string out;
  std::size_t chars = 0;
  for (const std::string& w : telling_words(organization)) {
    for (const char c : w) {
      if (c == '/') continue;
      const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      if (starts_char && ++chars > max_chars) return out;
      out += c;
    }
  }
  return out;
}

std::string canonical_name(std::string_view organization) {
  std::string out;
  for (const std::string& w : telling_words(organization)) {
    if (!out.empty()) out += ' ';
    for (const char c : w) out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::string display_name(const vendor_info& v) { return name_with(v, v.organization); }

std::string short_organization(const vendor_info& v) {
  if (v.organization.empty()) return {};
  if (!v.short_name.empty()) return v.short_name;
  return short_name(v.holders.empty() ? v.organization : v.holders.front());
}

std::string short_display_name(const vendor_info& v) { return name_with(v, short_organization(v)); }

}  // namespace ouiscan::vendors
