// The Step Functions contract of the function (docs/scale-out.md): a plan request, a range
// item or a batch of them (ItemBatcher's "Items"), and a merge request.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ouiscan/lambda/handler.h"
#include "ouiscan/report/inventory.h"

namespace ouiscan::lambda {

// A state's payload is at most 256 KiB: larger answers go to S3 (OUISCAN_OUTPUT_URI).
inline constexpr std::size_t state_limit = 256 * 1024 - 4 * 1024;

// The report's JSON (-f json), as one string.
[[nodiscard]] std::string inventory_json(const report::inventory& inv);

// The answer when the event is one of those requests; nullopt for the scan events.
[[nodiscard]] std::optional<answer> handle_work(std::string_view body,
                                                const handler_settings& settings,
                                                const ouidb::database* db, const invocation& inv);

}  // namespace ouiscan::lambda
