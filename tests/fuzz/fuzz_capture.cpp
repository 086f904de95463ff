// libFuzzer target: the pcap/pcapng framer, for_each_frame() and the link-layer decoders, on
// the whole input at once and as a stream revealed in small steps.
#include <cstddef>
#include <cstdint>

#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/framer.h"

namespace {

using namespace ouiscan;  // NOLINT(google-build-using-namespace)

std::uint64_t walk(core::bytes data, std::size_t target, std::size_t step) {
  capture::framer f;
  capture::frame_addresses hits;
  std::uint64_t seen = 0;
  std::size_t pos = 0;
  std::size_t visible = step == 0 ? data.size() : std::min(step, data.size());
  for (;;) {
    const bool eof = visible == data.size();
    const core::bytes avail = data.subspan(pos, visible - pos);
    auto cut = f.next(avail, eof, target);
    if (!cut) break;
    if (cut->length > 0) {
      capture::for_each_frame(
          avail.subspan(cut->skip, cut->length), *f.section(), [&](const capture::frame& fr) {
            capture::decode(fr.iface->link_type, core::bytes(fr.data, fr.caplen), hits);
            seen += hits.addresses().size();
          });
    }
    pos += cut->skip + cut->length;
    if (cut->done) break;
    if (cut->length == 0) {
      if (eof) __builtin_trap();  // the framer must end or fail at eof, never ask for more
      visible = std::min(data.size(), std::max(visible + step, pos + cut->need));
    }
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::bytes input(reinterpret_cast<const std::byte*>(data), size);
  const std::uint64_t whole = walk(input, 1 << 20, 0);
  const std::uint64_t streamed = walk(input, 64, 13);
  if (whole != streamed) __builtin_trap();  // chunking must not change what is found
  return 0;
}
