// File: wireshark_files.h
// Wireshark's own name files: manuf (prefix assignments with a short and a long name, as
// `--manuf FILE` reads a user's private ones, which take precedence over the registry) and
// ethers (an address and a name per line, as `--names FILE` reads them and `-f ethers`
// writes them). Formats: docs/output.md, "Wireshark's files".
//
//   auto manuf = vendors::manuf_table::parse(text, "my.manuf");
//   if (const vendors::manuf_entry* e = manuf->lookup(mac)) print(e->short_name);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/core/mac_address.h"

namespace ouiscan::vendors {

struct manuf_entry {
  core::mac_prefix prefix;   // the assigned bits (the rest zero)
  std::string short_name;    // the second field
  std::string organization;  // the third field, or the short name when there is none
};

class manuf_table {
 public:
  // Lines "PREFIX[/BITS] SHORT [LONG NAME]", blank-separated, '#' to the end of a line a
  // comment. PREFIX is 3 to 6 octets in any notation core::parse_mac_prefix reads. A malformed
  // line is an error naming `file` and the line number.
  [[nodiscard]] static core::result<manuf_table, core::failure> parse(std::string_view text,
                                                                      std::string_view file);
  // The entry with the longest prefix that matches mac, or null.
  [[nodiscard]] const manuf_entry* lookup(core::mac_address mac) const;
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::vector<manuf_entry> entries_;
  std::vector<unsigned> lengths_;                      // the prefix lengths used, longest first
  std::unordered_map<std::uint64_t, std::size_t> at_;  // (prefix << 6 | bits) -> entry
};

struct ethers_entry {
  core::mac_address mac;
  std::string name;
};

// Lines "ADDRESS NAME" ('#' comments), ADDRESS a whole address in any notation
// core::mac_address::parse reads; a later line for the same address wins, as in Wireshark.
[[nodiscard]] core::result<std::vector<ethers_entry>, core::failure> parse_ethers(
    std::string_view text, std::string_view file);

// A name as an ethers file can hold it: one token (Wireshark's parser splits on blanks and
// stops at '#'), of letters, digits and ". _ - :", every other byte '_', at most 63 bytes.
[[nodiscard]] std::string ethers_token(std::string_view name);

}  // namespace ouiscan::vendors
