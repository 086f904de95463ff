// libFuzzer target: `ouiscan merge` reading results back, which may come from anywhere (an S3
// URI). The input is one or more results separated by NUL bytes, merged together: ranges of one
// capture that overlap, leave gaps or contradict each other must be said, never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ouiscan/merge/merge.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ouiscan::merge::merger m;
  std::size_t added = 0;
  for (int i = 0; i < 8 && !rest.empty(); ++i) {
    const auto nul = rest.find('\0');
    const std::string_view one = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
    if (m.add(one, "fuzz-" + std::to_string(i))) ++added;
  }
  if (m.results() != added) __builtin_trap();  // a refused result adds nothing
  const auto found = m.take();
  if (added == 0 && !found.inputs.empty()) __builtin_trap();
  return 0;
}
