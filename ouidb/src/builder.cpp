#include "ouiscan/ouidb/builder.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

#include "ouiscan/core/mac_address.h"
#include "ouiscan/text/entities.h"

namespace ouiscan::ouidb {
namespace {

constexpr std::string_view kHeader = "Registry,Assignment,Organization Name,Organization Address";
constexpr std::string_view kIeeeRa = "IEEE Registration Authority";
constexpr std::string_view kPrivate = "Private";

std::string_view registry_label(registry r) {
  return to_string(r);  // the value of the CSV's Registry column
}

unsigned prefix_bits(registry r) {
  switch (r) {
    case registry::ma_m:
      return 28;
    case registry::ma_s:
    case registry::iab:
      return 36;
    default:
      return 24;
  }
}

// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF.
class csv_reader {
 public:
  explicit csv_reader(std::string_view text) : text_(text) {}

  // Reads the next record into fields; false at the end of the text.
  bool next(std::vector<std::string>& fields, std::uint64_t& line) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    line = ++line_;
    std::string field;
    bool quoted = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        break;
      } else {
        field += c;
      }
    }
    fields.push_back(std::move(field));
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 0;
};

// Length of a Unicode White_Space character (ASCII or UTF-8) at the start or end of s, or 0.
std::size_t space_at(std::string_view s, bool at_end) {
  static constexpr std::string_view kSpaces[] = {" ",
                                                 "\t",
                                                 "\r",
                                                 "\n",
                                                 "\v",
                                                 "\f",
                                                 "\xC2\x85",
                                                 "\xC2\xA0",
                                                 "\xE1\x9A\x80",
                                                 "\xE2\x80\x80",
                                                 "\xE2\x80\x81",
                                                 "\xE2\x80\x82",
                                                 "\xE2\x80\x83",
                                                 "\xE2\x80\x84",
                                                 "\xE2\x80\x85",
                                                 "\xE2\x80\x86",
                                                 "\xE2\x80\x87",
                                                 "\xE2\x80\x88",
                                                 "\xE2\x80\x89",
                                                 "\xE2\x80\x8A",
                                                 "\xE2\x80\xA8",
                                                 "\xE2\x80\xA9",
                                                 "\xE2\x80\xAF",
                                                 "\xE2\x81\x9F",
                                                 "\xE3\x80\x80"};
  for (const auto sp : kSpaces) {
    if (at_end ? s.ends_with(sp) : s.starts_with(sp)) return sp.size();
  }
  return 0;
}

// Trims ASCII and Unicode spaces (some names end in U+2002 EN SPACE).
std::string trim(std::string_view s) {
  while (const std::size_t n = space_at(s, false)) s.remove_prefix(n);
  while (const std::size_t n = space_at(s, true)) s.remove_suffix(n);
  return std::string(s);
}

std::optional<std::uint64_t> parse_hex(std::string_view s, std::size_t digits) {
  if (s.size() != digits) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    const int h = core::hex_digit(c);
    if (h < 0) return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(h);
  }
  return v;
}

struct row {
  std::uint64_t key;
  std::uint32_t name;
};

// Byte-pair encoding: bytes that no name uses stand for pairs of symbols, chosen greedily by
// frequency. Decoding needs only the 512-byte pair table and writes into the caller's buffer.
class pair_encoder {
 public:
  explicit pair_encoder(std::vector<std::vector<std::uint8_t>>& names) : names_(names) {
    std::array<bool, 256> used{};
    used[0] = true;  // 0 marks "stands for itself" in the pair table
    for (const auto& n : names_) {
      for (const std::uint8_t b : n) used[b] = true;
    }
    for (unsigned b = 0; b < 256; ++b) {
      if (!used[b]) free_.push_back(static_cast<std::uint8_t>(b));
    }
  }

  void run() {
    std::vector<std::uint32_t> counts(65536);
    for (const std::uint8_t symbol : free_) {
      std::fill(counts.begin(), counts.end(), 0);
      for (const auto& n : names_) {
        for (std::size_t i = 0; i + 1 < n.size(); ++i) {
          ++counts[std::size_t{n[i]} << 8 | n[i + 1]];
        }
      }
      const auto best = std::max_element(counts.begin(), counts.end());
      if (*best < 4) break;  // a pair must save more than its table entry costs
      const auto pair = static_cast<unsigned>(best - counts.begin());
      const auto left = static_cast<std::uint8_t>(pair >> 8);
      const auto right = static_cast<std::uint8_t>(pair & 0xFF);
      pairs_[2 * std::size_t{symbol}] = left;
      pairs_[2 * std::size_t{symbol} + 1] = right;
      for (auto& n : names_) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < n.size(); ++i) {
          if (i + 1 < n.size() && n[i] == left && n[i + 1] == right) {
            n[out++] = symbol;
            ++i;
          } else {
            n[out++] = n[i];
          }
        }
        n.resize(out);
      }
    }
  }
  [[nodiscard]] const std::array<std::uint8_t, 512>& pairs() const { return pairs_; }

 private:
  std::vector<std::vector<std::uint8_t>>& names_;
  std::vector<std::uint8_t> free_;
  std::array<std::uint8_t, 512> pairs_{};
};

class layout {
 public:
  layout() : bytes_(sizeof(format::header)) {}
  template <typename T>
  void add(format::section s, const std::vector<T>& items) {
    add_raw(s, items.data(), items.size() * sizeof(T));
  }
  void add_raw(format::section s, const void* data, std::size_t n) {
    while (bytes_.size() % 8 != 0) bytes_.push_back(std::byte{0});
    header_.sections[s] = {static_cast<std::uint32_t>(bytes_.size()),
                           static_cast<std::uint32_t>(n)};
    const auto* p = static_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), p, p + n);
  }
  format::header& header() { return header_; }
  std::vector<std::byte> finish() {
    while (bytes_.size() % 8 != 0) bytes_.push_back(std::byte{0});
    header_.magic = format::magic;
    header_.version = format::version;
    header_.header_bytes = sizeof(format::header);
    header_.file_bytes = bytes_.size();
    const auto* body = reinterpret_cast<const Bytef*>(bytes_.data() + sizeof(format::header));
    header_.crc32 = static_cast<std::uint32_t>(
        crc32(0, body, static_cast<uInt>(bytes_.size() - sizeof(format::header))));
    std::memcpy(bytes_.data(), &header_, sizeof header_);
    return std::move(bytes_);
  }

 private:
  std::vector<std::byte> bytes_;
  format::header header_{};
};

}  // namespace

core::result<csv_set, build_error> read_csv_dir(const std::string& dir) {
  csv_set csvs;
  for (std::size_t r = 0; r < registry_count; ++r) {
    const auto reg = static_cast<registry>(r);
    const std::string path = dir + "/" + std::string(csv_name(reg));
    std::ifstream in(path, std::ios::binary);
    if (!in) return build_error{reg, 0, "cannot read " + path};
    std::ostringstream text;
    text << in.rdbuf();
    csvs.text[r] = std::move(text).str();
  }
  return csvs;
}

std::uint32_t parse_date(std::string_view text) noexcept {
  std::uint32_t v = 0;
  int digits = 0;
  for (const char c : text) {
    if (c == '-') continue;
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
    ++digits;
  }
  return digits == 8 ? v : 0;
}

core::result<built_database, build_error> build(const csv_set& csvs) {
  // Names first: every distinct organisation gets an id, in sorted order (deterministic output).
  std::map<std::string, std::uint32_t> name_ids{{std::string(kIeeeRa), 0},
                                                {std::string(kPrivate), 0}};
  std::array<std::vector<std::pair<std::uint64_t, std::string>>, registry_count> parsed;
  built_database result;
  for (std::size_t r = 0; r < registry_count; ++r) {
    const auto reg = static_cast<registry>(r);
    std::string_view text = csvs.text[r];
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark
    csv_reader reader(text);
    std::vector<std::string> fields;
    std::uint64_t line = 0;
    std::string header;
    if (reader.next(fields, line)) {
      for (const auto& f : fields) {
        if (!header.empty()) header += ',';
        header += trim(f);
      }
    }
    if (header != kHeader) {
      return build_error{reg, 1, "not an IEEE registry CSV (the header line differs)"};
    }
    const std::size_t digits = prefix_bits(reg) / 4;
    while (reader.next(fields, line)) {
      if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // blank line
      if (fields.size() < 3) return build_error{reg, line, "fewer than 3 fields"};
      if (trim(fields[0]) != registry_label(reg)) {
        return build_error{reg, line,
                           "registry column is '" + trim(fields[0]) + "', expected '" +
                               std::string(registry_label(reg)) + "'"};
      }
      const auto key = parse_hex(trim(fields[1]), digits);
      if (!key)
        return build_error{reg, line,
                           "assignment '" + trim(fields[1]) + "' is not " + std::to_string(digits) +
                               " hex digits"};
      std::string name = trim(text::decode_entities(fields[2]));
      if (name.empty()) return build_error{reg, line, "empty organisation name"};
      if (name.size() >= format::max_name_bytes) name.resize(format::max_name_bytes - 1);
      name_ids.emplace(name, 0);
      parsed[r].emplace_back(*key, std::move(name));
    }
    result.rows[r] = static_cast<std::uint32_t>(parsed[r].size());
    if (result.rows[r] < csvs.min_rows[r]) {
      return build_error{reg, 0,
                         "only " + std::to_string(result.rows[r]) + " rows, expected at least " +
                             std::to_string(csvs.min_rows[r])};
    }
  }
  if (name_ids.size() > 65535) return build_error{registry::ma_l, 0, "too many distinct names"};
  std::vector<std::vector<std::uint8_t>> encoded;
  for (auto& [name, id] : name_ids) {
    id = static_cast<std::uint32_t>(encoded.size());
    encoded.emplace_back(name.begin(), name.end());
  }

  std::array<std::vector<row>, registry_count> rows;
  for (std::size_t r = 0; r < registry_count; ++r) {
    for (const auto& [key, name] : parsed[r]) rows[r].push_back({key, name_ids.at(name)});
  }
  const std::uint32_t ra = name_ids.at(std::string(kIeeeRa));
  for (auto& table : rows) {
    std::sort(table.begin(), table.end(), [](const row& a, const row& b) {
      return std::tie(a.key, a.name) < std::tie(b.key, b.name);
    });
    table.erase(
        std::unique(table.begin(), table.end(),
                    [](const row& a, const row& b) { return a.key == b.key && a.name == b.name; }),
        table.end());
  }
  pair_encoder encoder(encoded);
  encoder.run();

  layout out;
  const auto keys32 = [](const std::vector<row>& t) {
    std::vector<std::uint32_t> k;
    k.reserve(t.size());
    for (const row& x : t) k.push_back(static_cast<std::uint32_t>(x.key));
    return k;
  };
  const auto keys_below_parent = [](const std::vector<row>& t) {
    std::vector<std::uint16_t> k;
    k.reserve(t.size());
    for (const row& x : t) k.push_back(static_cast<std::uint16_t>(x.key & 0xFFF));
    return k;
  };
  const auto ids = [](const std::vector<row>& t) {
    std::vector<std::uint16_t> k;
    k.reserve(t.size());
    for (const row& x : t) k.push_back(static_cast<std::uint16_t>(x.name));
    return k;
  };
  const auto& t = rows;
  const auto at = [&](registry r) -> const std::vector<row>& {
    return t[static_cast<std::size_t>(r)];
  };
  constexpr unsigned low_bits = 24 - format::ma_l_index_bits;
  std::vector<std::uint16_t> low_keys;
  for (const row& x : at(registry::ma_l)) {
    low_keys.push_back(static_cast<std::uint16_t>(x.key & ((1U << low_bits) - 1)));
  }
  out.add(format::ma_l_keys, low_keys);
  out.add(format::ma_l_ids, ids(at(registry::ma_l)));
  std::vector<std::uint32_t> index(format::ma_l_index_slots);
  for (std::size_t slot = 0; slot < index.size(); ++slot) {
    index[slot] = static_cast<std::uint32_t>(
        std::lower_bound(at(registry::ma_l).begin(), at(registry::ma_l).end(), slot,
                         [](const row& x, std::size_t s) { return (x.key >> low_bits) < s; }) -
        at(registry::ma_l).begin());
  }
  out.add(format::ma_l_index, index);
  std::vector<std::uint8_t> dense_slots(format::ma_l_index_slots - 1);
  std::vector<format::dense_block> dense_blocks;
  for (std::size_t slot = 0; slot + 1 < index.size(); ++slot) {
    if (index[slot + 1] - index[slot] <= format::dense_threshold || dense_blocks.size() == 255) {
      continue;
    }
    format::dense_block block{};
    for (std::size_t run = 0; run < block.run_start.size(); ++run) {
      const auto first = low_keys.begin() + index[slot];
      block.run_start[run] =
          static_cast<std::uint16_t>(std::lower_bound(first, low_keys.begin() + index[slot + 1],
                                                      run << format::dense_run_bits) -
                                     first);
    }
    dense_blocks.push_back(block);
    dense_slots[slot] = static_cast<std::uint8_t>(dense_blocks.size());
  }
  out.add(format::cid_keys, keys32(at(registry::cid)));
  out.add(format::cid_ids, ids(at(registry::cid)));
  out.add(format::ma_m_keys, keys32(at(registry::ma_m)));
  out.add(format::ma_m_ids, ids(at(registry::ma_m)));
  const auto ma_s_low = keys_below_parent(at(registry::ma_s));
  out.add(format::ma_s_keys, ma_s_low);
  out.add(format::ma_s_ids, ids(at(registry::ma_s)));
  const auto iab_low = keys_below_parent(at(registry::iab));
  out.add(format::iab_keys, iab_low);
  out.add(format::iab_ids, ids(at(registry::iab)));
  std::vector<std::uint32_t> offsets;
  std::vector<std::uint8_t> pool;
  for (const auto& e : encoded) {
    offsets.push_back(static_cast<std::uint32_t>(pool.size()));
    pool.push_back(static_cast<std::uint8_t>(e.size()));
    pool.insert(pool.end(), e.begin(), e.end());
  }
  out.add(format::name_offsets, offsets);
  out.add(format::name_pool, pool);
  out.add_raw(format::name_pairs, encoder.pairs().data(), encoder.pairs().size());
  std::map<std::uint32_t, format::parent_block> parents;
  const auto note = [&](registry r, unsigned shift, std::uint32_t format::parent_block::*begin,
                        std::uint32_t format::parent_block::*end) {
    const auto& table = at(r);
    for (std::size_t i = 0; i < table.size(); ++i) {
      const auto key = static_cast<std::uint32_t>(table[i].key >> shift);
      auto [it, added] =
          parents.try_emplace(key, format::parent_block{key, 0, 0, 0, 0, 0, 0, 0, 0});
      if (it->second.*end == 0) it->second.*begin = static_cast<std::uint32_t>(i);
      it->second.*end = static_cast<std::uint32_t>(i + 1);
    }
  };
  note(registry::ma_m, 4, &format::parent_block::ma_m_begin, &format::parent_block::ma_m_end);
  note(registry::ma_s, 12, &format::parent_block::ma_s_begin, &format::parent_block::ma_s_end);
  note(registry::iab, 12, &format::parent_block::iab_begin, &format::parent_block::iab_end);
  std::vector<format::parent_block> parent_list;
  std::vector<format::sub_run_table> sub_runs;
  const auto runs_of = [&](const std::vector<std::uint16_t>& low, std::uint32_t begin,
                           std::uint32_t end) -> std::uint16_t {
    if (end - begin <= format::dense_threshold) return 0;
    format::sub_run_table table{};
    for (std::size_t run = 0; run < table.run_start.size(); ++run) {
      table.run_start[run] = static_cast<std::uint16_t>(
          std::lower_bound(low.begin() + begin, low.begin() + end, run << 4) -
          (low.begin() + begin));
    }
    sub_runs.push_back(table);
    return static_cast<std::uint16_t>(sub_runs.size());
  };
  for (auto [key, block] : parents) {
    block.ma_s_runs = runs_of(ma_s_low, block.ma_s_begin, block.ma_s_end);
    block.iab_runs = runs_of(iab_low, block.iab_begin, block.iab_end);
    parent_list.push_back(block);
  }
  out.add(format::parents, parent_list);
  std::vector<std::uint32_t> parent_keys;
  parent_keys.reserve(parent_list.size());
  for (const auto& block : parent_list) parent_keys.push_back(block.key);
  out.add(format::parent_keys, parent_keys);
  std::vector<std::uint16_t> parent_runs(format::filter_bits + 1);
  for (std::size_t run = 0; run < parent_runs.size(); ++run) {
    parent_runs[run] = static_cast<std::uint16_t>(
        std::lower_bound(parent_keys.begin(), parent_keys.end(), run << format::run_bits) -
        parent_keys.begin());
  }
  out.add(format::parent_runs, parent_runs);
  std::vector<std::uint64_t> cid_filter(format::filter_bits / 64);
  for (const row& x : at(registry::cid)) {
    const std::size_t bit = x.key >> format::run_bits;
    cid_filter[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
  out.add(format::cid_filter, cid_filter);
  out.add(format::dense_slots, dense_slots);
  out.add(format::dense_blocks, dense_blocks);
  out.add(format::sub_runs, sub_runs);

  format::header& h = out.header();
  h.name_count = static_cast<std::uint32_t>(encoded.size());
  h.ieee_ra_name = ra;
  h.private_name = name_ids.at(std::string(kPrivate));
  for (std::size_t r = 0; r < registry_count; ++r) {
    h.registries[r] = {csvs.snapshot[r], result.rows[r]};
  }
  result.bytes = out.finish();
  return result;
}

}  // namespace ouiscan::ouidb
