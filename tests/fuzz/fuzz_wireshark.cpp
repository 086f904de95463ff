// libFuzzer target: the --manuf and --names readers (Wireshark's manuf and ethers formats) on
// arbitrary text, lookups in what they read, and the names derived from arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ouiscan/vendors/vendor.h"
#include "ouiscan/vendors/wireshark_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ouiscan;  // NOLINT(google-build-using-namespace)
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto manuf = vendors::manuf_table::parse(text, "fuzz.manuf")) {
    for (std::uint64_t v : {0x000000000000ULL, 0x00247EE01DB5ULL, 0xFFFFFFFFFFFFULL}) {
      if (const auto* e = manuf->lookup(core::mac_address(v))) {
        (void)vendors::describe_private(*e, core::mac_address(v));
      }
    }
  }
  if (auto names = vendors::parse_ethers(text, "fuzz.ethers")) {
    for (const auto& e : *names) (void)vendors::ethers_token(e.name);
  }
  (void)vendors::short_name(text);
  (void)vendors::canonical_name(text);
  (void)vendors::ethers_token(text);
  return 0;
}
