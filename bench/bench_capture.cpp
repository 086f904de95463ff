// Capture benchmarks: record walking (framer + for_each_frame, or in one pass) for pcap and pcapng,
// link-layer decoding per link type, and the whole scan pipeline on 1 and 2 threads. Inputs come
// from bench/datagen, in memory. Each reports bytes/s and frames/s.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "datagen.h"
#include "ouiscan/capture/decode.h"
#include "ouiscan/capture/framer.h"
#include "ouiscan/capture/link_type.h"
#include "ouiscan/capture/walk.h"
#include "ouiscan/ouidb/database.h"
#include "ouiscan/pipeline/scan.h"
#include "ouiscan/scan/scan.h"

namespace {

using namespace ouiscan;  // NOLINT(google-build-using-namespace)

std::vector<std::byte> generate(datagen::container format, std::uint64_t bytes) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  datagen::options o;
  o.format = format;
  o.target_bytes = bytes;
  (void)datagen::write(o, f);
  std::fclose(f);
  std::vector<std::byte> out(reinterpret_cast<std::byte*>(buf),
                             reinterpret_cast<std::byte*>(buf) + size);
  std::free(buf);
  return out;
}

const std::vector<std::byte>& capture(datagen::container format) {
  static const std::vector<std::byte> pcap = generate(datagen::container::pcap, 64 << 20);
  static const std::vector<std::byte> pcapng = generate(datagen::container::pcapng, 64 << 20);
  return format == datagen::container::pcap ? pcap : pcapng;
}

// Record walking: range(0) the container, range(1) 0 for the framer's cut then for_each_frame
// (the stream path), 1 for next_visiting (a mapped scan: each record visited as it is checked).
void BM_Walk(benchmark::State& state) {
  const auto format = static_cast<datagen::container>(state.range(0));
  const bool one_pass = state.range(1) != 0;
  const auto& data = capture(format);
  std::uint64_t frames = 0;
  const auto count = [&frames](const capture::frame& fr) { frames += fr.caplen != 0; };
  for (auto _ : state) {
    benchmark::DoNotOptimize(capture::walk(data, {.one_pass = one_pass}, count));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
  std::string label = format == datagen::container::pcap ? "pcap" : "pcapng";
  label += one_pass ? ", one pass" : ", cut, then for_each_frame";
  state.SetLabel(label);
}
BENCHMARK(BM_Walk)->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMillisecond);

// One representative frame per link type, decoded over and over.
std::vector<std::byte> hex(const char* s) {
  std::vector<std::byte> out;
  for (; s[0] != 0 && s[1] != 0; s += 2) {
    while (*s == ' ') ++s;
    out.push_back(static_cast<std::byte>(std::strtoul(std::string(s, 2).c_str(), nullptr, 16)));
  }
  return out;
}

void BM_Decode(benchmark::State& state) {
  struct sample {
    std::uint16_t link;
    const char* name;
    const char* bytes;
  };
  static const sample samples[] = {
      {capture::linktype::ethernet, "ethernet", "001b210a0b0c0050568a00010800450000280000"},
      {capture::linktype::ethernet, "ethernet+qinq+arp",
       "ffffffffffff0050568a000188a800648100006408060001080006040001"
       "0050568a0001c0a80001000000000000c0a80002"},
      {capture::linktype::linux_sll, "linux_sll", "000000010006001b210a0b0c000008004500"},
      {capture::linktype::ieee802_11_radiotap, "radiotap+802.11 data",
       "000008000000000008010000020000000001020000000002020000000003100000000000"},
  };
  const sample& s = samples[state.range(0)];
  const auto frame = hex(s.bytes);
  capture::frame_addresses out;
  for (auto _ : state) {
    capture::decode(s.link, frame, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
  state.SetLabel(s.name);
}
BENCHMARK(BM_Decode)->DenseRange(0, 3);

void BM_Scan(benchmark::State& state) {
  const auto& data = capture(datagen::container::pcap);
  const auto path = std::filesystem::temp_directory_path() / "ouiscan_bench_scan.pcap";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  std::uint64_t frames = 0;
  for (auto _ : state) {
    pipeline::scanner s({.threads = static_cast<unsigned>(state.range(0))});
    auto in = io::open_input(path.string());
    frames += s.scan(*in).counters.frames;
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Scan)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The whole scan call (scan::run: open, pipeline, vendors, the inventory), as the CLI and the
// Lambda handler run it; range(0) threads.
void BM_ScanCall(benchmark::State& state) {
  const auto& data = capture(datagen::container::pcap);
  const auto path = std::filesystem::temp_directory_path() / "ouiscan_bench_scan_call.pcap";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  const auto db = ouidb::database::open(ouidb::embedded());
  std::uint64_t frames = 0;
  for (auto _ : state) {
    scan::request req;
    req.inputs = {path.string()};
    req.database = &*db;
    req.threads = static_cast<unsigned>(state.range(0));
    scan::observer quiet;
    auto done = scan::run(std::move(req), quiet);
    frames += done->inventory.totals.frames;
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ScanCall)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
