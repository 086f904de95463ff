// File: builder.h
// Builds an OUI database from the IEEE registry CSV files (oui.csv, mam.csv, oui36.csv, iab.csv,
// cid.csv), handling their quirks: quoted fields with commas, CRLF, stray spaces, HTML entities,
// unsorted and duplicate rows, "Private" rows, subdivided "IEEE Registration Authority" blocks.
//
//   ouidb::csv_set csvs;  csvs.text[registry::ma_l] = read("oui.csv"); ...
//   auto built = ouidb::build(csvs);
//   if (built) write(built->bytes);
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/ouidb/format.h"

namespace ouiscan::ouidb {

struct csv_set {
  std::array<std::string, registry_count> text;          // file contents, indexed by registry
  std::array<std::uint32_t, registry_count> snapshot{};  // YYYYMMDD per registry, 0 unknown
  std::array<std::uint32_t, registry_count> min_rows{};  // refuse a registry with fewer rows
  // Where the text came from, for conditional downloads (the refresh keeps these).
  std::array<std::string, registry_count> etag;
  std::array<std::string, registry_count> last_modified;
  std::array<bool, registry_count> fresh{};  // downloaded now (not from the cache)
};

struct build_error {
  registry reg;
  std::uint64_t line;  // 1-based CSV line, 0 for whole-file problems
  std::string message;
};

struct built_database {
  std::vector<std::byte> bytes;  // the file, 8-byte aligned when stored in an aligned buffer
  std::array<std::uint32_t, registry_count> rows{};
};

// Returns the database, or the first problem found (with the registry and line).
[[nodiscard]] core::result<built_database, build_error> build(const csv_set& csvs);

// Reads the five CSVs from a folder (the IEEE's file names). A missing file is an error.
[[nodiscard]] core::result<csv_set, build_error> read_csv_dir(const std::string& dir);

// Parses "2026-05-21" (or "20260521") into 20260521; 0 when malformed.
[[nodiscard]] std::uint32_t parse_date(std::string_view text) noexcept;

}  // namespace ouiscan::ouidb
