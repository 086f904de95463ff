#include "ouiscan/core/error.h"

#include <cstring>

namespace ouiscan::core {

const char* name(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::bad_magic:
      return "bad_magic";
    case errc::unsupported_version:
      return "unsupported_version";
    case errc::truncated_file:
      return "truncated_file";
    case errc::bad_record_length:
      return "bad_record_length";
    case errc::bad_block_length:
      return "bad_block_length";
    case errc::bad_interface:
      return "bad_interface";
    case errc::bad_header:
      return "bad_header";
    case errc::io_error:
      return "io_error";
    case errc::decompress_error:
      return "decompress_error";
    case errc::db_corrupt:
      return "db_corrupt";
    case errc::remote_error:
      return "remote_error";
    case errc::remote_changed:
      return "remote_changed";
    case errc::stopped:
      return "stopped";
    case errc::no_header:
      return "no_header";
    case errc::db_bad_magic:
      return "db_bad_magic";
    case errc::db_size_mismatch:
      return "db_size_mismatch";
    case errc::db_checksum:
      return "db_checksum";
    case errc::range_gap:
      return "range_gap";
    case errc::needs_index:
      return "needs_index";
  }
  return "unknown";
}

const char* describe(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "no error";
    case errc::bad_magic:
      return "not a pcap or pcapng capture (unknown magic number)";
    case errc::unsupported_version:
      return "unsupported format version";
    case errc::truncated_file:
      return "file ends inside a record (cut short)";
    case errc::bad_record_length:
      return "corrupt record: impossible captured length";
    case errc::bad_block_length:
      return "corrupt block: impossible length or trailer mismatch";
    case errc::bad_interface:
      return "packet refers to an undefined interface";
    case errc::bad_header:
      return "corrupt file or section header";
    case errc::io_error:
      return "read error";
    case errc::decompress_error:
      return "corrupt compressed data";
    case errc::db_corrupt:
      return "corrupt OUI database (impossible section table)";
    case errc::remote_error:
      return "remote read failed";
    case errc::remote_changed:
      return "the remote object changed while it was read";
    case errc::stopped:
      return "stopped before the time limit";
    case errc::no_header:
      return "no capture header (the file is empty or ends inside its file header)";
    case errc::db_bad_magic:
      return "not an ouiscan OUI database (unknown magic number)";
    case errc::db_size_mismatch:
      return "OUI database cut short or extended (its length is not its header's)";
    case errc::db_checksum:
      return "OUI database damaged (its checksum does not match)";
    case errc::range_gap:
      return "the merged ranges of this capture leave bytes out or overlap";
    case errc::needs_index:
      return "a range past the first 256 MiB of a pcapng object needs --headers (the section "
             "and interface blocks before it)";
  }
  return "unknown error";
}

std::string to_string(const error& e) {
  std::string s = "byte offset " + std::to_string(e.offset);
  if (e.record != 0) s += ", record " + std::to_string(e.record);
  s += ": ";
  s += describe(e.code);
  if (e.sys_errno != 0 && (e.code == errc::remote_error || e.code == errc::remote_changed)) {
    s += " (HTTP " + std::to_string(e.sys_errno) + ")";
  } else if (e.sys_errno != 0) {
    s += ": ";
    s += std::strerror(e.sys_errno);
  }
  return s;
}

}  // namespace ouiscan::core
