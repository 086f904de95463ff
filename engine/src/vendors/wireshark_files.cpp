#include "ouiscan/vendors/wireshark_files.h"

#include <fmt/format.h>

#include <algorithm>

namespace ouiscan::vendors {
namespace {

constexpr std::string_view kBlanks = " \t\r";

// The line without its comment, split into its first `n - 1` blank-separated fields and the
// rest (trimmed).
std::vector<std::string_view> fields(std::string_view line, std::size_t n) {
  line = line.substr(0, line.find('#'));
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const auto start = line.find_first_not_of(kBlanks);
    if (start == std::string_view::npos) return out;
    line.remove_prefix(start);
    const auto end = std::min(line.find_first_of(kBlanks), line.size());
    out.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
  const auto start = line.find_first_not_of(kBlanks);
  if (start != std::string_view::npos) {
    line.remove_prefix(start);
    out.push_back(line.substr(0, line.find_last_not_of(kBlanks) + 1));
  }
  return out;
}

// Calls f(line_number, line) for each line.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    f(++number, text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
}

std::uint64_t key_of(std::uint64_t prefix, unsigned bits) { return prefix << 6 | bits; }

std::uint64_t masked(std::uint64_t mac, unsigned bits) {
  return bits == 0 ? 0 : mac & (~std::uint64_t{0} << (48 - bits)) & 0xFFFF'FFFF'FFFFULL;
}

}  // namespace

core::result<manuf_table, core::failure> manuf_table::parse(std::string_view text,
                                                            std::string_view file) {
  manuf_table t;
  std::string error;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (!error.empty()) return;
    const auto f = fields(line, 3);
    if (f.empty()) return;
    const auto fail = [&](std::string_view why) {
      error = fmt::format("{}:{}: {}", file, number, why);
    };
    if (f.size() < 2) return fail("a prefix without a name");
    std::string_view address = f[0];
    unsigned bits = 0;
    if (const auto slash = address.find('/'); slash != std::string_view::npos) {
      const std::string_view b = address.substr(slash + 1);
      address = address.substr(0, slash);
      if (b.empty() || b.size() > 2 ||
          !std::all_of(b.begin(), b.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return fail(fmt::format("bad prefix length \"{}\"", b));
      }
      bits = static_cast<unsigned>(std::stoul(std::string(b)));
      if (bits == 0 || bits > 48) return fail(fmt::format("prefix length {} is not 1 to 48", bits));
    }
    std::string why;
    const auto p = core::parse_mac_prefix(address, &why);
    if (!p) return fail(fmt::format("bad prefix \"{}\": {}", address, why));
    if (bits == 0) bits = p->bits;
    const std::uint64_t prefix = masked(p->mac.value(), bits);
    manuf_entry e{{core::mac_address(prefix), bits},
                  std::string(f[1]),
                  std::string(f.size() > 2 ? f[2] : f[1])};
    // A later line for the same prefix wins, as a later assignment in Wireshark's file does.
    const auto [at, added] = t.at_.try_emplace(key_of(prefix, bits), t.entries_.size());
    if (added) {
      t.entries_.push_back(std::move(e));
    } else {
      t.entries_[at->second] = std::move(e);
    }
    if (std::find(t.lengths_.begin(), t.lengths_.end(), bits) == t.lengths_.end()) {
      t.lengths_.push_back(bits);
    }
  });
  if (!error.empty()) return core::failure{error};
  std::sort(t.lengths_.rbegin(), t.lengths_.rend());
  return t;
}

const manuf_entry* manuf_table::lookup(core::mac_address mac) const {
  for (const unsigned bits : lengths_) {
    const auto it = at_.find(key_of(masked(mac.value(), bits), bits));
    if (it != at_.end()) return &entries_[it->second];
  }
  return nullptr;
}

core::result<std::vector<ethers_entry>, core::failure> parse_ethers(std::string_view text,
                                                                    std::string_view file) {
  std::vector<ethers_entry> out;
  std::unordered_map<std::uint64_t, std::size_t> at;
  std::string error;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (!error.empty()) return;
    const auto f = fields(line, 3);
    if (f.empty()) return;
    if (f.size() < 2) {
      error = fmt::format("{}:{}: an address without a name", file, number);
      return;
    }
    const auto mac = core::mac_address::parse(f[0]);
    if (!mac) {
      error = fmt::format("{}:{}: \"{}\" is not a whole MAC address", file, number, f[0]);
      return;
    }
    const auto [it, added] = at.try_emplace(mac->value(), out.size());
    if (added) {
      out.push_back({*mac, std::string(f[1])});
    } else {
      out[it->second].name = f[1];
    }
  });
  if (!error.empty()) return core::failure{error};
  return out;
}

std::string ethers_token(std::string_view name) {
  constexpr std::size_t max_bytes = 63;  // Wireshark's names hold 63 bytes and a terminator
  std::string out;
  for (const char c : name.substr(0, max_bytes)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-' || c == ':';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace ouiscan::vendors
