// File: diff.h
// What changed between two databases, per registry: assignments added, removed, and renamed
// (same prefix, different holders).
//
//   auto d = ouidb::diff(old_db, new_db);
//   print(d[registry::ma_l].added);
#pragma once

#include <array>
#include <cstdint>

#include "ouiscan/ouidb/database.h"

namespace ouiscan::ouidb {

struct registry_diff {
  std::uint64_t added = 0;
  std::uint64_t removed = 0;
  std::uint64_t renamed = 0;
};

using database_diff = std::array<registry_diff, registry_count>;

[[nodiscard]] database_diff diff(const database& before, const database& after);

}  // namespace ouiscan::ouidb
