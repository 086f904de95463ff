// libFuzzer target: one link-layer decoder chosen by the first two bytes (the LINKTYPE),
// applied to the rest of the input as a captured frame.
#include <cstddef>
#include <cstdint>

#include "ouiscan/capture/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ouiscan;  // NOLINT(google-build-using-namespace)
  if (size < 2) return 0;
  const auto link_type = static_cast<std::uint16_t>(data[0] | (data[1] << 8));
  capture::frame_addresses out;
  capture::decode(link_type, core::bytes(reinterpret_cast<const std::byte*>(data + 2), size - 2),
                  out);
  if (out.addresses().size() > capture::frame_addresses::max_addresses) __builtin_trap();
  if (out.bindings().size() > capture::frame_addresses::max_bindings) __builtin_trap();
  return 0;
}
