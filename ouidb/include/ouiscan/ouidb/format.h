// File: format.h
// The byte layout of an ouiscan OUI database (oui.bin); docs/ouidb-format.md describes it in
// prose. Every integer is little-endian; every section starts on an 8-byte boundary.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ouiscan::ouidb {

enum class registry : std::uint8_t { ma_l, ma_m, ma_s, iab, cid };
inline constexpr std::size_t registry_count = 5;
[[nodiscard]] std::string_view to_string(registry r) noexcept;  // "MA-L", "MA-M", ...
// The IEEE's file name for each registry: oui.csv, mam.csv, oui36.csv, iab.csv, cid.csv.
[[nodiscard]] std::string_view csv_name(registry r) noexcept;

namespace format {

inline constexpr std::array<char, 8> magic = {'O', 'U', 'I', 'S', 'C', 'N', 'D', 'B'};
inline constexpr std::uint32_t version = 2;
inline constexpr std::uint32_t max_name_bytes = 256;  // decoded organisation names, at most
inline constexpr unsigned ma_l_index_bits = 14;       // MA-L rows are bucketed by these
inline constexpr std::size_t ma_l_index_slots = (std::size_t{1} << ma_l_index_bits) + 1;
inline constexpr unsigned run_bits = 12;  // parents and CIDs are bucketed by key >> run_bits
inline constexpr std::size_t filter_bits = std::size_t{1} << run_bits;

// Sections, in file order. Keys are sorted ascending; equal keys (several holders of one
// assignment) are adjacent; ids[i] names the holder of keys[i].
enum section : std::uint32_t {
  ma_l_keys,     // u16: the low 10 bits of each 24-bit prefix (the index gives the top 14)
  ma_l_ids,      // u16 name ids
  ma_l_index,    // u32 x 16385: first MA-L row whose key's top 14 bits are >= i
  cid_keys,      // u32: 24-bit prefixes
  cid_ids,       // u16
  ma_m_keys,     // u32: 28-bit prefixes
  ma_m_ids,      // u16
  ma_s_keys,     // u16: the low 12 bits of each 36-bit prefix (its parent block gives the top 24)
  ma_s_ids,      // u16
  iab_keys,      // u16: as ma_s_keys
  iab_ids,       // u16
  name_offsets,  // u32 per name id: offset of the encoded name in name_pool
  name_pool,     // per name: u8 encoded length, then the byte-pair-encoded bytes
  name_pairs,    // u8 x 512: for byte b, pairs[2b], pairs[2b+1] are the two symbols it stands
                 // for; a byte whose pair is (0, 0) stands for itself
  parents,       // parent_block per 24-bit block with sub-blocks, sorted by key
  parent_keys,   // u32: the key of each parent_block, in the same order
  parent_runs,   // u16 x 4097: first parent whose key >> 12 is >= i
  cid_filter,    // u64 x 64: 4096-bit set of (CID key >> 12), so that most lookups of random
                 // addresses end without a search
  dense_slots,   // u8 x 16384: for each MA-L bucket, 1 + its dense_blocks entry, or 0
  dense_blocks,  // dense_block per MA-L bucket of more than dense_threshold rows
  sub_runs,      // sub_run_table per parent's MA-S or IAB rows, when more than dense_threshold
  section_count,
};

// A lookup compares up to this many rows of an MA-L bucket at once. A crowded bucket (the legacy
// 00:xx:xx range holds up to 1,024 rows in one) is cut into 64 runs of 16 consecutive keys, and
// its dense_block says where each run starts, counted in rows from the bucket's first row.
inline constexpr std::uint32_t dense_threshold = 16;
inline constexpr unsigned dense_run_bits = 4;
struct dense_block {
  std::array<std::uint16_t, 64> run_start;
};
static_assert(sizeof(dense_block) == 128);

// A parent's MA-S or IAB rows (up to 4,096) cut into 256 runs of 16 consecutive 12-bit keys:
// where each run starts, in rows from the parent's first row in that table.
struct sub_run_table {
  std::array<std::uint16_t, 256> run_start;
};
static_assert(sizeof(sub_run_table) == 512);

// A 24-bit block the IEEE subdivided: where its sub-blocks sit in the MA-M, MA-S and IAB tables
// ([begin, end) row ranges), so that a lookup searches only that block's rows, and for its MA-S
// and IAB rows, 1 + the index of their sub_run_table (0: at most dense_threshold rows).
struct parent_block {
  std::uint32_t key;
  std::uint32_t ma_m_begin, ma_m_end;
  std::uint32_t ma_s_begin, ma_s_end;
  std::uint32_t iab_begin, iab_end;
  std::uint16_t ma_s_runs, iab_runs;
};
static_assert(sizeof(parent_block) == 32);

struct registry_info {
  std::uint32_t snapshot_date;  // YYYYMMDD, 0 when unknown
  std::uint32_t rows;           // rows read from the registry's CSV
};

struct section_ref {
  std::uint32_t offset;
  std::uint32_t bytes;
};

struct header {
  std::array<char, 8> magic;
  std::uint32_t version;
  std::uint32_t header_bytes;
  std::uint64_t file_bytes;
  std::uint32_t crc32;  // zlib CRC-32 of bytes [header_bytes, file_bytes)
  std::uint32_t name_count;
  std::uint32_t ieee_ra_name;  // id of "IEEE Registration Authority" (subdivided blocks)
  std::uint32_t private_name;  // id of "Private"
  std::array<registry_info, registry_count> registries;
  std::array<section_ref, section_count> sections;
};

static_assert(sizeof(header) % 8 == 0);

}  // namespace format
}  // namespace ouiscan::ouidb
