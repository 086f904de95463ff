// File: event.h
// What a Lambda invocation asks for: the S3 objects named by its event. Three shapes are read
// (parsed with simdjson): an S3 event notification (every record; keys URL-encoded with '+'
// for space, as S3 sends them), an EventBridge "Object Created" event, and a direct invocation
// {"bucket": ..., "key": ...} or {"uri": "s3://..."} (or a list of such under "objects").
//
//   auto objects = lambda::parse_event(body);
//   if (const auto* why = objects ? nullptr : &objects.error()) reply_error(why->message);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/s3/config.h"

namespace ouiscan::lambda {

struct bad_event {
  std::string message;  // one line; never echoes the event itself
};

[[nodiscard]] core::result<std::vector<s3::location>, bad_event> parse_event(std::string_view json);

// Decodes an S3 event key: %XX escapes, and '+' for a space. Malformed escapes stay as they are.
[[nodiscard]] std::string decode_event_key(std::string_view key);

}  // namespace ouiscan::lambda
