// The address set: ouiscan's per-thread open-addressing tables merged at the end, against a
// shared tbb::concurrent_hash_map (a lock per bucket) and a shared
// tbb::concurrent_unordered_map with atomic counters (lock-free inserts). Two threads insert the
// addresses of Zipf-skewed traffic (20,000 hosts), as the scan's extract stage does.
#include <benchmark/benchmark.h>
#include <tbb/concurrent_hash_map.h>
#include <tbb/concurrent_unordered_map.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cmath>
#include <random>
#include <vector>

#include "ouiscan/pipeline/address_table.h"

namespace {

using ouiscan::core::mac_address;

const std::vector<std::uint64_t>& traffic() {
  static const std::vector<std::uint64_t> keys = [] {
    constexpr std::size_t hosts = 20'000;
    constexpr std::size_t n = 2'000'000;
    std::vector<double> cdf(hosts);
    double sum = 0;
    for (std::size_t k = 0; k < hosts; ++k) cdf[k] = sum += 1.0 / static_cast<double>(k + 1);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, sum);
    std::vector<std::uint64_t> out(n);
    for (auto& k : out) {
      k = 0x00163E000000ULL + static_cast<std::uint64_t>(
                                  std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
    }
    return out;
  }();
  return keys;
}

constexpr int kThreads = 2;
constexpr std::size_t kGrain = 16384;

void BM_PerThreadTables(benchmark::State& state) {
  const auto& keys = traffic();
  tbb::task_arena arena(kThreads);
  for (auto _ : state) {
    tbb::enumerable_thread_specific<ouiscan::pipeline::address_table> local;
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, keys.size(), kGrain), [&](auto r) {
        auto& t = local.local();
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
          t.upsert(mac_address(keys[i])).count(ouiscan::capture::role_src, 100, 0);
        }
      });
    });
    ouiscan::pipeline::address_table merged;
    for (const auto& t : local) merged.merge(t);
    benchmark::DoNotOptimize(merged.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(keys.size()));
}
BENCHMARK(BM_PerThreadTables)->Unit(benchmark::kMillisecond)->UseRealTime();

struct counters {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
};

void BM_ConcurrentHashMap(benchmark::State& state) {
  const auto& keys = traffic();
  tbb::task_arena arena(kThreads);
  for (auto _ : state) {
    tbb::concurrent_hash_map<std::uint64_t, counters> map;
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, keys.size(), kGrain), [&](auto r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
          tbb::concurrent_hash_map<std::uint64_t, counters>::accessor a;
          map.insert(a, keys[i]);
          ++a->second.frames;
          a->second.bytes += 100;
        }
      });
    });
    benchmark::DoNotOptimize(map.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(keys.size()));
}
BENCHMARK(BM_ConcurrentHashMap)->Unit(benchmark::kMillisecond)->UseRealTime();

struct atomic_counters {
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> bytes{0};
};

void BM_ConcurrentUnorderedMapAtomics(benchmark::State& state) {
  const auto& keys = traffic();
  tbb::task_arena arena(kThreads);
  for (auto _ : state) {
    tbb::concurrent_unordered_map<std::uint64_t, atomic_counters> map;
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, keys.size(), kGrain), [&](auto r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
          auto& c = map[keys[i]];
          c.frames.fetch_add(1, std::memory_order_relaxed);
          c.bytes.fetch_add(100, std::memory_order_relaxed);
        }
      });
    });
    benchmark::DoNotOptimize(map.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(keys.size()));
}
BENCHMARK(BM_ConcurrentUnorderedMapAtomics)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
