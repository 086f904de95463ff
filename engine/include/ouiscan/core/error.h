// File: error.h
// Error codes, a trivially copyable error value and result<T>, a small stand-in for
// std::expected (C++23, which clang 14, needed for libFuzzer, lacks). The numeric codes may
// change between versions; match on errc names, never on numbers.
//
//   result<header> h = parse_header(data);
//   if (!h) return h.error();
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ouiscan::core {

enum class errc : std::uint8_t {
  ok = 0,
  bad_magic,            // not a pcap or pcapng file (or an unsupported variant)
  unsupported_version,  // a format version we do not read
  truncated_file,       // the data ends inside a header or record
  bad_record_length,    // a pcap record whose captured length is impossible
  bad_block_length,     // a pcapng block whose length is impossible or disagrees with its trailer
  bad_interface,        // a pcapng packet referring to an interface not described
  bad_header,           // a file or section header with impossible fields
  io_error,             // a read or open failed (sys_errno says why)
  decompress_error,     // a compressed stream is corrupt
  db_corrupt,           // an OUI database file whose section table is impossible
  remote_error,         // a remote read failed after its retries (sys_errno: the HTTP status)
  remote_changed,       // a remote object changed while it was read
  stopped,              // reading stopped early on purpose (a time limit), not at a fault
  no_header,            // no whole capture file header: empty, a lone magic, a cut header
  db_bad_magic,         // a file given as an OUI database that is not one
  db_size_mismatch,     // an OUI database whose length is not its header's (cut short, partial)
  db_checksum,          // an OUI database whose contents fail its CRC-32
  range_gap,            // merged --range results leave part of a capture out, or overlap
  needs_index,          // --range deep in a pcapng held in part, without --headers
};

// Faults of reading (exit code 3) rather than of the data (exit code 1).
[[nodiscard]] constexpr bool is_read_failure(errc code) noexcept {
  return code == errc::io_error || code == errc::remote_error || code == errc::remote_changed;
}

struct error {
  errc code = errc::ok;
  std::uint64_t offset = 0;  // byte offset in the (decompressed) input where the fault lies
  std::uint64_t record = 0;  // 1-based record (packet or block) number at the fault, 0 if none
  int sys_errno = 0;
};

// The code's name, e.g. "truncated_file" (stable: used in JSON output).
[[nodiscard]] const char* name(errc code) noexcept;
// A short human description of the code, e.g. "file ends inside a record".
[[nodiscard]] const char* describe(errc code) noexcept;
// "byte offset 1234, record 56: file ends inside a record"
[[nodiscard]] std::string to_string(const error& e);

// An error at the library's edges (configuration, network, a live interface, a filter): one
// line that names what failed and where, fit to show a user as it is.
struct failure {
  std::string message;
};

// A value or the error that prevented it: core::error for the data path (trivially copyable,
// no allocation), core::failure or a component's own failure (s3::failure, http::http_failure,
// ouidb::build_error, each with a message) at the edges.
template <typename T, typename E = error>
class [[nodiscard]] result {
 public:
  result(T value)
      : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT(google-explicit-constructor)
  result(E e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] const E& error() const& { return std::get<1>(v_); }
  [[nodiscard]] E&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

}  // namespace ouiscan::core
