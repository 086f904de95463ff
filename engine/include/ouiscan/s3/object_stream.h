// File: object_stream.h
// An S3 object as a byte_stream: parallel ranged GETs (parts_in_flight workers, part_bytes
// each) handed to the reader in order, so that download and parsing overlap and memory stays at
// parts_in_flight x part_bytes whatever the object's size. No temporary files. Every GET
// carries the ETag seen at HEAD (If-Match), so an object replaced mid-scan is an error.
//
//   auto in = s3::open_object(client, loc);   // HEAD, --max-bytes, then the stream
//   if (const auto* why = in ? nullptr : &in.error()) fail(why->message);
#pragma once

#include <memory>

#include "ouiscan/core/error.h"
#include "ouiscan/io/input.h"
#include "ouiscan/s3/client.h"

namespace ouiscan::s3 {

// HEADs the object, refuses it before any body byte when it exceeds settings.max_bytes, and
// returns it as an input (gzip and zstd detected by their magic, as for files).
[[nodiscard]] core::result<io::input, failure> open_object(std::shared_ptr<client> c,
                                                           const location& loc);

// The stream alone, for an object already HEADed.
[[nodiscard]] std::unique_ptr<io::byte_stream> make_object_stream(std::shared_ptr<client> c,
                                                                  location loc, object_info info);

// Does this object look like a capture: by name (.pcap, .pcapng, .cap, with .gz/.zst/.zstd),
// or, failing that, by the magic number of its first bytes (read with one small GET)?
[[nodiscard]] bool looks_like_capture(client& c, const location& loc, const object_info& info);

}  // namespace ouiscan::s3
