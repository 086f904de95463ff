// OUI database benchmarks: open time, lookups per second on one core, and, side by side, the
// usual approach: parsing Wireshark's `manuf` text into a hash map, then looking up in it.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "ouiscan/ouidb/database.h"

namespace {

using ouiscan::core::mac_address;
using ouiscan::ouidb::database;

const database& embedded_db() {
  static const database db = *database::open(ouiscan::ouidb::embedded());
  return db;
}

// A mix of 70% addresses under MA-L blocks, 10% under MA-M/MA-S blocks, 20% locally
// administered (randomised phones, VMs). Blocks are drawn uniformly over every assignment when
// skew is 0 (the cache-cold worst case), or with Zipf weights 1/rank^skew over a shuffled
// order (a capture's handful of vendors dominating, as in real traffic).
std::vector<mac_address> address_mix(std::size_t n, double skew = 0, int only = -1) {
  const database& db = embedded_db();
  std::vector<std::uint64_t> ma_l, sub;
  db.for_each(ouiscan::ouidb::registry::ma_l,
              [&](std::uint64_t k, std::uint16_t) { ma_l.push_back(k << 24); });
  if (only != 3) {
    db.for_each(ouiscan::ouidb::registry::ma_m,
                [&](std::uint64_t k, std::uint16_t) { sub.push_back(k << 20); });
  }
  if (only != 2) {
    db.for_each(ouiscan::ouidb::registry::ma_s,
                [&](std::uint64_t k, std::uint16_t) { sub.push_back(k << 12); });
  }
  std::mt19937_64 rng(42);
  std::shuffle(ma_l.begin(), ma_l.end(), rng);
  std::shuffle(sub.begin(), sub.end(), rng);
  const auto zipf_table = [&](std::size_t size) {
    std::vector<double> cdf(size);
    double sum = 0;
    for (std::size_t k = 0; k < size; ++k) cdf[k] = sum += std::pow(double(k + 1), -skew);
    for (double& c : cdf) c /= sum;
    return cdf;
  };
  const auto cdf_l = zipf_table(ma_l.size());
  const auto cdf_s = zipf_table(sub.size());
  std::uniform_real_distribution<double> unit(0, 1);
  const auto pick = [&](const std::vector<double>& cdf) {
    return static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), unit(rng)) -
                                    cdf.begin()) %
           cdf.size();
  };
  std::vector<mac_address> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned kind = static_cast<unsigned>(rng() % 10);
    if (only == 0) kind = 0;
    if (only == 1 || only == 2 || only == 3) kind = 7;
    if (only == 4) kind = 9;
    const std::uint64_t low = rng();
    if (kind < 7) {
      out.emplace_back(ma_l[pick(cdf_l)] | (low & 0xFFFFFF));
    } else if (kind < 8) {
      out.emplace_back(sub[pick(cdf_s)] | (low & 0xFFF));
    } else {
      out.emplace_back((low & 0xFEFFFFFFFFFF) | 0x020000000000);
    }
  }
  return out;
}

void BM_Open(benchmark::State& state) {
  const bool verify = state.range(0) != 0;
  for (auto _ : state) {
    auto db = database::open(ouiscan::ouidb::embedded(), verify);
    benchmark::DoNotOptimize(db);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(ouiscan::ouidb::embedded().size()));
  state.SetLabel(verify ? "with checksum" : "header and bounds only");
}
BENCHMARK(BM_Open)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

void BM_Lookup(benchmark::State& state) {
  const database& db = embedded_db();
  const double skew = static_cast<double>(state.range(0)) / 10;
  const auto macs = address_mix(1 << 16, skew);
  state.SetLabel(skew == 0 ? "uniform over all assignments" : "Zipf-skewed vendors");
  std::size_t i = 0;
  std::uint64_t found = 0;
  for (auto _ : state) {
    const auto m = db.lookup(macs[i++ & 0xFFFF]);
    found += m.holders;
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Lookup)->Arg(0)->Arg(10);

// The order a scan's report asks in: every distinct address once, sorted.
void BM_LookupSorted(benchmark::State& state) {
  const database& db = embedded_db();
  auto macs = address_mix(1 << 16);
  std::sort(macs.begin(), macs.end());
  std::size_t i = 0;
  std::uint64_t found = 0;
  for (auto _ : state) {
    found += db.lookup(macs[i++ & 0xFFFF]).holders;
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel("uniform mix, in address order");
}
BENCHMARK(BM_LookupSorted);

// One kind of address at a time: 0 under MA-L, 1 under MA-M/MA-S, 2 under MA-M, 3 under MA-S,
// 4 local (random).
void BM_LookupKind(benchmark::State& state) {
  const database& db = embedded_db();
  const auto macs = address_mix(1 << 16, 0, static_cast<int>(state.range(0)));
  std::size_t i = 0;
  std::uint64_t found = 0;
  for (auto _ : state) {
    found += db.lookup(macs[i++ & 0xFFFF]).holders;
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  static constexpr const char* kinds[] = {"MA-L", "MA-M/MA-S", "MA-M", "MA-S", "local"};
  state.SetLabel(kinds[state.range(0)]);
}
BENCHMARK(BM_LookupKind)->DenseRange(0, 4);

void BM_LookupAndName(benchmark::State& state) {
  const database& db = embedded_db();
  const auto macs = address_mix(1 << 16);
  ouiscan::ouidb::name_buffer buf;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto m = db.lookup(macs[i++ & 0xFFFF]);
    benchmark::DoNotOptimize(db.organization(m, 0, buf));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LookupAndName);

// Wireshark's manuf (Debian's libwireshark-data): "00:1B:C5:00:00:00/36<TAB>short<TAB>long".
struct manuf_table {
  std::unordered_map<std::uint64_t, std::string> by_prefix[3];  // 24, 28, 36 bits
};

manuf_table parse_manuf(const std::string& text) {
  manuf_table t;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string addr = line.substr(0, tab);
    unsigned bits = 24;
    if (const auto slash = addr.find('/'); slash != std::string::npos) {
      bits = static_cast<unsigned>(std::stoul(addr.substr(slash + 1)));
      addr.resize(slash);
    }
    std::uint64_t v = 0;
    unsigned digits = 0;
    for (const char c : addr) {
      if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
        v = (v << 4) | static_cast<std::uint64_t>(std::stoi(std::string(1, c), nullptr, 16));
        ++digits;
      }
    }
    v <<= 4 * (12 - digits);
    const std::string name = line.substr(line.rfind('\t') + 1);
    const int slot = bits == 36 ? 2 : bits == 28 ? 1 : 0;
    t.by_prefix[slot][v >> (48 - bits)] = name;
  }
  return t;
}

std::string read_manuf() {
  std::ifstream in("/usr/share/wireshark/manuf");
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

void BM_ManufParse(benchmark::State& state) {
  const std::string text = read_manuf();
  if (text.empty()) {
    state.SkipWithError("/usr/share/wireshark/manuf not found (Debian package libwireshark-data)");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(parse_manuf(text));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetLabel("startup cost of the usual approach");
}
BENCHMARK(BM_ManufParse)->Unit(benchmark::kMillisecond);

void BM_ManufLookup(benchmark::State& state) {
  const double skew = static_cast<double>(state.range(0)) / 10;
  const std::string text = read_manuf();
  if (text.empty()) {
    state.SkipWithError("/usr/share/wireshark/manuf not found (Debian package libwireshark-data)");
    return;
  }
  const manuf_table t = parse_manuf(text);
  const auto macs = address_mix(1 << 16, skew);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::uint64_t v = macs[i++ & 0xFFFF].value();
    const std::string* name = nullptr;
    if (auto it = t.by_prefix[2].find(v >> 12); it != t.by_prefix[2].end()) {
      name = &it->second;
    } else if (auto it28 = t.by_prefix[1].find(v >> 20); it28 != t.by_prefix[1].end()) {
      name = &it28->second;
    } else if (auto it24 = t.by_prefix[0].find(v >> 24); it24 != t.by_prefix[0].end()) {
      name = &it24->second;
    }
    benchmark::DoNotOptimize(name);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ManufLookup)->Arg(0)->Arg(10);

}  // namespace

BENCHMARK_MAIN();
