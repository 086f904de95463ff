// File: time.h
// Timestamps as text, UTC: written as "2026-11-26T06:54:26.123456789Z" (nanoseconds since the
// epoch, from a proleptic Gregorian calendar without the C library's time zone state) and read
// from ISO 8601 as people write it.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ouiscan::text {

// "2026-11-26T06:54:26.123456789Z", appended.
void append_time(fmt::memory_buffer& b, std::int64_t ns);
[[nodiscard]] std::string format_time(std::int64_t ns);
// The same as a JSON string (quoted).
void append_json_time(fmt::memory_buffer& b, std::int64_t ns);
// "2026-11-26", "2026-11-26T06:54", "2026-11-26 06:54:26.5Z", "...T06:54:26+01:00" (no zone:
// UTC). Nanoseconds since the epoch, or nullopt.
[[nodiscard]] std::optional<std::int64_t> parse_time(std::string_view text) noexcept;

}  // namespace ouiscan::text
