// Text primitives: timestamps against dates worked out by hand (and the well-known limits
// of int64 nanoseconds), JSON string escapes against RFC 8259.
#include <gtest/gtest.h>

#include <limits>

#include "ouiscan/text/entities.h"
#include "ouiscan/text/json.h"
#include "ouiscan/text/time.h"

namespace {

using ouiscan::text::format_time;

constexpr std::int64_t s = 1'000'000'000;
constexpr std::int64_t day = 86'400 * s;

TEST(FormatTime, Epoch) { EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000000000Z"); }

TEST(FormatTime, BeforeEpochBorrowsASecond) {
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(FormatTime, KnownInstant) {
  // 1,700,000,000 s after the epoch: 19,675 days (2023-11-14) and 80,000 s (22:13:20).
  EXPECT_EQ(format_time(1'700'000'000 * s + 7'000), "2023-11-14T22:13:20.000007000Z");
}

TEST(FormatTime, LeapDays) {
  // 2000 is a leap year (divisible by 400): 10,957 days to 2000-01-01, then 31 + 28.
  EXPECT_EQ(format_time(11'016 * day), "2000-02-29T00:00:00.000000000Z");
  // 2100 is not (divisible by 100): 47,482 days to 2100-01-01, then 31 + 28 is 1 March.
  EXPECT_EQ(format_time(47'541 * day), "2100-03-01T00:00:00.000000000Z");
  EXPECT_EQ(format_time(47'541 * day - s), "2100-02-28T23:59:59.000000000Z");
}

TEST(FormatTime, Int64Limits) {
  EXPECT_EQ(format_time(std::numeric_limits<std::int64_t>::max()),
            "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(format_time(std::numeric_limits<std::int64_t>::min()),
            "1677-09-21T00:12:43.145224192Z");
}

TEST(JsonString, Escapes) {
  fmt::memory_buffer b;
  ouiscan::text::append_json_string(b, "a\"b\\c\nd\te\rf\x01g");
  EXPECT_EQ(fmt::to_string(b), R"("a\"b\\c\nd\te\rf\u0001g")");
}

TEST(JsonString, PlainAndUtf8PassThrough) {
  fmt::memory_buffer b;
  ouiscan::text::append_json_string(b, "Zhejiang Dahua Technology Co.,Ltd. \xC3\xA9");
  EXPECT_EQ(fmt::to_string(b), "\"Zhejiang Dahua Technology Co.,Ltd. \xC3\xA9\"");
}

// Character references as the XML and HTML specifications define them; the UTF-8 bytes
// worked out by hand (U+00E9: C3 A9; U+20AC: E2 82 AC; U+1F600: F0 9F 98 80).
TEST(Entities, NamedAndNumericReferences) {
  using ouiscan::text::decode_entities;
  EXPECT_EQ(decode_entities("AT&amp;T &lt;x&gt; &quot;q&quot; &apos;a&apos;"),
            "AT&T <x> \"q\" 'a'");
  EXPECT_EQ(decode_entities("caf&#233; &#xE9; &#x20AC; &#128512;"),
            "caf\xC3\xA9 \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  // As the IEEE files write names (registry_test checks every name against Python's html).
  EXPECT_EQ(decode_entities("R&amp;D &#39;q&#39; AT&T & Co;"), "R&D 'q' AT&T & Co;");
  // Not references: kept as written.
  EXPECT_EQ(decode_entities("&bogus; &amp &#xZZ; &#; &#0; &#x110000; & alone"),
            "&bogus; &amp &#xZZ; &#; &#0; &#x110000; & alone");
}

}  // namespace
