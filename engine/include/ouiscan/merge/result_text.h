// File: result_text.h
// The parts of an ouiscan JSON result as simdjson elements: the address records and the
// summary, from the object of -f json or the lines of -f jsonl. Shared by `ouiscan merge` and
// `ouiscan diff`.
//
//   auto ok = merge::walk_result(text, [&](element a) { ...; return no_failure; },
//                                [&](element summary) { ...; return no_failure; });
#pragma once

#include <simdjson.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ouiscan/core/error.h"

namespace ouiscan::merge {

using element_visitor = std::function<std::optional<core::failure>(simdjson::dom::element)>;

// Calls on_summary with the summary (when there is one), then on_address with each address
// record in order; the first failure a visitor returns ends the walk and is returned.
[[nodiscard]] std::optional<core::failure> walk_result(std::string_view json,
                                                       const element_visitor& on_address,
                                                       const element_visitor& on_summary);

}  // namespace ouiscan::merge
