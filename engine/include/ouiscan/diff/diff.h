// File: diff.h
// Changes between two inventories, as arpwatch reports them: addresses that are new, addresses
// that are gone, and addresses whose vendor, IP addresses or names changed. Either side is an
// ouiscan JSON result (-f json or -f jsonl) or a scan's inventory. docs/output.md describes the
// output.
//
//   auto before = diff::read_inventory_file("monday.json");
//   const diff::changes c = diff::compare(*before, diff::of(inventory));
//   diff::write(stdout, c, report::format::table);
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/report/inventory.h"

namespace ouiscan::diff {

// What an inventory says of one address, as far as changes go.
struct device {
  std::string vendor;           // the organization, "" when unknown
  std::set<std::string> ips;    // the listed IP addresses, as text
  std::set<std::string> names;  // "kind=name"
};
using snapshot = std::map<std::uint64_t, device>;  // by address

// The inventory in an ouiscan JSON result (the object of -f json, or the lines of -f jsonl);
// the failure's message says why the text is not one.
[[nodiscard]] core::result<snapshot, core::failure> read_inventory(std::string_view json);
[[nodiscard]] core::result<snapshot, core::failure> read_inventory_file(const std::string& path);
// The same facts of a scan's inventory.
[[nodiscard]] snapshot of(const report::inventory& inv);

struct change {
  core::mac_address mac;
  std::string old_vendor, new_vendor;  // equal when the vendor did not change
  std::vector<std::string> ips_added, ips_removed, names_added, names_removed;
};
struct changes {
  std::vector<std::pair<core::mac_address, device>> added;    // by address
  std::vector<std::pair<core::mac_address, device>> removed;  // by address
  std::vector<change> changed;                                // by address
  std::size_t unchanged = 0;
  [[nodiscard]] bool empty() const noexcept {
    return added.empty() && removed.empty() && changed.empty();
  }
};
[[nodiscard]] changes compare(const snapshot& before, const snapshot& after);

// Writes the changes as a table (arpwatch-like lines), JSON, JSON lines or CSV; false when the
// stream failed.
bool write(std::FILE* out, const changes& c, report::format f);

}  // namespace ouiscan::diff
