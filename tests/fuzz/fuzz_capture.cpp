// libFuzzer target: the pcap/pcapng framer, for_each_frame() and the link-layer decoders, on
// the whole input at once and as a stream revealed in small steps.
#include <cstddef>
#include <cstdint>

#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/walk.h"

namespace {

using namespace ouiscan;  // NOLINT(google-build-using-namespace)

std::uint64_t addresses_found(core::bytes data, std::size_t target, std::size_t step) {
  capture::frame_addresses hits;
  std::uint64_t seen = 0;
  const auto end =
      capture::walk(data, {.target = target, .step = step}, [&](const capture::frame& fr) {
        capture::decode(fr.iface->link_type, core::bytes(fr.data, fr.caplen), hits);
        seen += hits.addresses().size();
      });
  if (end.stalled) __builtin_trap();  // the framer must end or fail at eof, never ask for more
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::bytes input(reinterpret_cast<const std::byte*>(data), size);
  const std::uint64_t whole = addresses_found(input, 1 << 20, 0);
  const std::uint64_t streamed = addresses_found(input, 64, 13);
  if (whole != streamed) __builtin_trap();  // chunking must not change what is found
  return 0;
}
