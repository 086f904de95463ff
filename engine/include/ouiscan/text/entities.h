// File: entities.h
// XML and HTML character references, decoded: the five named ones (&amp; &lt; &gt; &quot;
// &apos;) and numeric ones (&#233; &#xE9;) as UTF-8. What S3's XML answers and the IEEE CSVs
// (whose names carry HTML entities) need; anything else stays as written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ouiscan::text {

[[nodiscard]] std::string decode_entities(std::string_view s);
// Appends a Unicode code point as UTF-8 (nothing for one past U+10FFFF).
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace ouiscan::text
