// File: input.h
// Opens a capture for reading: a regular uncompressed file is memory-mapped; stdin ("-"),
// pipes and compressed files become a byte_stream. The format is sniffed from magic bytes,
// never from the name.
//
//   auto in = ouiscan::io::open_input("capture.pcap.gz");
//   if (!in) fail(in.error());
//   if (in->mapped) parse(in->mapped->data()); else stream(*in->stream);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "ouiscan/io/byte_stream.h"
#include "ouiscan/io/mapped_file.h"

namespace ouiscan::io {

enum class compression : std::uint8_t { none, gzip, zstd };
[[nodiscard]] const char* to_string(compression c) noexcept;
// What a stream's first bytes say: the gzip or zstd magic number, or neither.
[[nodiscard]] compression compression_of(std::span<const std::byte> head) noexcept;

struct input {
  std::string name;
  std::optional<mapped_file> mapped;    // set for mapped files
  std::unique_ptr<byte_stream> stream;  // set otherwise
  std::uint64_t size = 0;               // bytes on disk, 0 when unknown (pipes)
  compression compressed = compression::none;
  std::string version;  // a remote object's ETag (the version every read is pinned to), or ""
};

// path "-" means standard input.
[[nodiscard]] core::result<input> open_input(const std::string& path);
// A stream from elsewhere (S3): its first bytes are sniffed for gzip and zstd as for files.
[[nodiscard]] core::result<input> open_stream(std::string name, std::unique_ptr<byte_stream> s,
                                              std::uint64_t size);

}  // namespace ouiscan::io
