// libFuzzer target: the OUI database loader and lookups on arbitrary bytes (a corrupt or hostile
// oui.bin, e.g. a damaged --db file), and the IEEE CSV builder on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "ouiscan/ouidb/builder.h"
#include "ouiscan/ouidb/database.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ouiscan;  // NOLINT(google-build-using-namespace)
  // As a database file (aligned copy, as a mapping would be).
  std::vector<std::uint64_t> aligned((size + 7) / 8);
  if (size > 0) std::memcpy(aligned.data(), data, size);
  const core::bytes bytes(reinterpret_cast<const std::byte*>(aligned.data()), size);
  if (auto db = ouidb::database::open(bytes, /*verify_checksum=*/false)) {
    ouidb::name_buffer buf;
    for (std::uint64_t v : {0x000000000000ULL, 0x0050C2F71ABCULL, 0xDAA119000001ULL,
                            0xFFFFFFFFFFFFULL, 0x1C8776000001ULL}) {
      const auto m = db->lookup(core::mac_address(v));
      for (std::uint32_t i = 0; i < m.holders && i < 4; ++i) (void)db->organization(m, i, buf);
    }
    for (std::uint32_t id = 0; id < 64; ++id) (void)db->name(id, buf);
  }
  // As the text of one registry CSV, the others empty of rows.
  ouidb::csv_set csvs;
  const std::string header = "Registry,Assignment,Organization Name,Organization Address\n";
  for (auto& t : csvs.text) t = header;
  csvs.text[data == nullptr || size == 0 ? 0 : data[0] % ouidb::registry_count] =
      std::string(reinterpret_cast<const char*>(data), size);
  auto built = ouidb::build(csvs);
  if (const auto* b = built ? &*built : nullptr) {
    std::vector<std::uint64_t> copy((b->bytes.size() + 7) / 8);
    std::memcpy(copy.data(), b->bytes.data(), b->bytes.size());
    if (!ouidb::database::open(
            core::bytes(reinterpret_cast<const std::byte*>(copy.data()), b->bytes.size()))) {
      __builtin_trap();  // whatever the builder accepts must load
    }
  }
  return 0;
}
