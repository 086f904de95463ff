// libFuzzer target: one link-layer decoder chosen by the first two bytes (the LINKTYPE),
// applied to the rest of the input as a captured frame; every name it finds is then rendered as
// the name table renders it (DNS compression pointers, NetBIOS, LLDP, tunnel headers).
#include <cstddef>
#include <cstdint>

#include "ouiscan/capture/decode.h"
#include "ouiscan/identity/name_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ouiscan;  // NOLINT(google-build-using-namespace)
  if (size < 2) return 0;
  const auto link_type = static_cast<std::uint16_t>(data[0] | (data[1] << 8));
  capture::frame_addresses out;
  capture::decode(link_type, core::bytes(reinterpret_cast<const std::byte*>(data + 2), size - 2),
                  out);
  if (out.addresses().size() > capture::frame_addresses::max_addresses) __builtin_trap();
  if (out.bindings().size() > capture::frame_addresses::max_bindings) __builtin_trap();
  if (out.names().size() > capture::frame_addresses::max_names) __builtin_trap();
  for (const capture::name_hit& n : out.names()) {
    if (identity::name_text(n.kind, n.value, n.context).size() > 64 * 1024) __builtin_trap();
  }
  return 0;
}
