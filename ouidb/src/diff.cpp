#include "ouiscan/ouidb/diff.h"

#include <map>
#include <set>
#include <string>

namespace ouiscan::ouidb {
namespace {

// prefix -> its holders' names.
std::map<std::uint64_t, std::set<std::string>> holders(const database& db, registry r) {
  std::map<std::uint64_t, std::set<std::string>> out;
  name_buffer buf;
  db.for_each(r, [&](std::uint64_t key, std::uint16_t id) {
    out[key].insert(std::string(db.name(id, buf)));
  });
  return out;
}

}  // namespace

database_diff diff(const database& before, const database& after) {
  database_diff d;
  for (std::size_t r = 0; r < registry_count; ++r) {
    const auto reg = static_cast<registry>(r);
    const auto a = holders(before, reg);
    const auto b = holders(after, reg);
    for (const auto& [key, names] : b) {
      const auto it = a.find(key);
      if (it == a.end()) {
        ++d[r].added;
      } else if (it->second != names) {
        ++d[r].renamed;
      }
    }
    for (const auto& [key, names] : a) {
      if (!b.contains(key)) ++d[r].removed;
    }
  }
  return d;
}

}  // namespace ouiscan::ouidb
