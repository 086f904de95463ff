// libFuzzer target: Lambda invocation events (any JSON, or not JSON), and S3 event key decoding.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "ouiscan/lambda/event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = ouiscan::lambda::parse_event(text);
  if (const auto* objects = parsed ? &*parsed : nullptr) {
    for (const auto& o : *objects) {
      if (o.bucket.empty() || o.key.empty()) __builtin_trap();  // never an object without both
    }
  }
  if (ouiscan::lambda::decode_event_key(text).size() > size) __builtin_trap();
  return 0;
}
