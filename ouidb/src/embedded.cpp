#include "ouiscan/ouidb/database.h"

// Symbols from embedded_db.S (.incbin of the oui.bin built from third_party/ieee).
extern "C" const std::byte ouiscan_embedded_db_begin[];  // NOLINT
extern "C" const std::byte ouiscan_embedded_db_end[];    // NOLINT

namespace ouiscan::ouidb {

core::bytes embedded() noexcept {
  return {ouiscan_embedded_db_begin,
          static_cast<std::size_t>(ouiscan_embedded_db_end - ouiscan_embedded_db_begin)};
}

}  // namespace ouiscan::ouidb
