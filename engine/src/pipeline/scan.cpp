#include "ouiscan/pipeline/scan.h"

#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>
#include <utility>

#include "chunk_reader.h"
#include "work.h"

namespace ouiscan::pipeline {

using namespace detail;  // NOLINT(google-build-using-namespace): the pipeline's internals

void frame_counters::add_link_slow(std::uint16_t link_type, std::uint64_t bytes) {
  for (link_count& l : links) {
    if (l.link_type == link_type) {
      ++l.frames;
      l.bytes += bytes;
      return;
    }
  }
  links.push_back({link_type, 1, bytes});
}

void frame_counters::merge(const frame_counters& o) {
  frames += o.frames;
  wire_bytes += o.wire_bytes;
  captured_bytes += o.captured_bytes;
  frames_with_vlan += o.frames_with_vlan;
  frames_with_tunnel += o.frames_with_tunnel;
  identity_dropped += o.identity_dropped;
  arp_mismatch_frames += o.arp_mismatch_frames;
  gratuitous_arp_frames += o.gratuitous_arp_frames;
  caplen_over_origlen += o.caplen_over_origlen;
  untimed_frames += o.untimed_frames;
  addresses_over_cap += o.addresses_over_cap;
  filtered_out += o.filtered_out;
  first_ns = std::min(first_ns, o.first_ns);
  last_ns = std::max(last_ns, o.last_ns);
  for (std::size_t i = 0; i < status.size(); ++i) status[i] += o.status[i];
  for (const link_count& l : o.links) {
    auto it = std::find_if(links.begin(), links.end(),
                           [&](const link_count& x) { return x.link_type == l.link_type; });
    if (it == links.end()) {
      links.push_back(l);
    } else {
      it->frames += l.frames;
      it->bytes += l.bytes;
    }
  }
  // Order by link type so that the summary does not depend on which chunk merged first.
  std::sort(links.begin(), links.end(),
            [](const link_count& a, const link_count& b) { return a.link_type < b.link_type; });
}

scanner::scanner(scan_options options)
    : options_(std::move(options)), frames_left_(options_.max_frames) {}

void scanner::scan_counted(io::input& in, input_report& report) {
  chunk_reader reader(in, options_.chunk_bytes, options_.progress, options_.resync);
  findings mine;
  mine.cap = cap();
  mine.filter = options_.filter;
  const auto t0 = clock::now();
  {
    accountant acc(mine);
    work w;
    while (frames_left_ > 0 && reader.next(w)) {
      capture::for_each_frame(w.data, *w.section, [&](const capture::frame& f) {
        if (frames_left_ > 0 && acc.add(f)) --frames_left_;
      });
      acc.flush();
    }
  }
  report.extract_seconds = since(t0);
  report.counters.addresses_over_cap += table_.merge(std::move(mine.table), cap());
  ips_.merge(std::move(mine.ips));
  names_.merge(std::move(mine.names));
  report.counters.merge(mine.counters);
  reader.report_into(report, in);
}

std::optional<std::vector<std::pair<std::uint64_t, std::uint32_t>>> parse_headers(
    std::string_view text) {
  const auto number = [](std::string_view t, std::uint64_t& v) {
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc{} && end == t.data() + t.size() && !t.empty();
  };
  std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
  if (text == "none") return out;
  for (std::size_t at = 0; at <= text.size();) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string_view item = text.substr(at, comma - at);
    const auto plus = item.find('+');
    std::uint64_t offset = 0, length = 0;
    if (plus == std::string_view::npos || !number(item.substr(0, plus), offset) ||
        !number(item.substr(plus + 1), length) || length > capture::max_record_bytes) {
      return std::nullopt;
    }
    out.emplace_back(offset, static_cast<std::uint32_t>(length));
    at = comma + 1;
  }
  return out;
}

unsigned scanner::worker_threads() const {
  // More threads than cores only adds contention (and oneTBB caps its workers anyway).
  const auto cores = static_cast<unsigned>(tbb::info::default_concurrency());
  return options_.threads != 0 ? std::min(options_.threads, cores) : cores;
}

input_report scanner::scan(io::input& in) {
  const auto start = clock::now();
  input_report report;
  report.name = in.name;
  report.compression = io::to_string(in.compressed);
  report.size = in.size;

  const unsigned threads = worker_threads();
  if (options_.max_frames != 0) {
    scan_counted(in, report);
    report.seconds = since(start);
    return report;
  }
  if (options_.range) {
    if (in.mapped) {
      scan_range(in.mapped->data(), report);
    } else {
      // A stream (standard input, a compressed file): offsets are those of the capture data,
      // which is read whole first.
      std::vector<std::byte> all;
      std::array<std::byte, 1U << 16> buf{};
      for (;;) {
        auto n = in.stream->read(buf);
        if (!n) {
          report.error = n.error();
          report.error_detail = in.stream->error_detail();
          break;
        }
        if (*n == 0) break;
        all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
      }
      if (!report.error) scan_range(core::bytes(all.data(), all.size()), report);
    }
    report.seconds = since(start);
    return report;
  }
  // --resync walks serially: a fault's recovery decides where the next record starts.
  if (in.mapped && !options_.resync && in.mapped->data().size() >= 2 * options_.segment_bytes) {
    if (scan_segments(in.mapped->data(), threads, report)) {
      report.seconds = since(start);
      return report;
    }
  }

  // The chunk pipeline: its work items are recycled through a queue, one per token.
  const std::size_t tokens = 4 * std::size_t{threads};
  std::vector<std::unique_ptr<work>> pool;
  tbb::concurrent_bounded_queue<work*> free_work;
  for (std::size_t i = 0; i < tokens; ++i) {
    pool.push_back(std::make_unique<work>());
    free_work.push(pool.back().get());
  }

  chunk_reader reader(in, options_.chunk_bytes, options_.progress, options_.resync);
  tbb::enumerable_thread_specific<findings> found;
  tbb::task_arena arena(static_cast<int>(threads));
  // Stage 1 (serial, in order): cut the next chunk. A token is always free here: the pipeline
  // keeps at most `tokens` items in flight and stage 2 returns each one.
  const auto cut = [&](tbb::flow_control& fc) -> work* {
    const auto t0 = clock::now();
    work* w = nullptr;
    if (!free_work.try_pop(w) || !reader.next(*w)) {
      if (w != nullptr) free_work.push(w);
      fc.stop();
      w = nullptr;
    }
    report.cut_seconds += since(t0);
    return w;
  };
  // Stage 2 (parallel): decode every frame of the chunk into this thread's findings.
  const auto extract = [&](work* w) {
    const auto t0 = clock::now();
    findings& mine = found.local();
    mine.cap = cap();
    mine.filter = options_.filter;
    accountant acc(mine);
    capture::for_each_frame(w->data, *w->section, [&acc](const capture::frame& f) { acc.add(f); });
    acc.flush();
    w->section.reset();
    w->keep.reset();  // lent stream memory goes back as soon as its chunk is done
    free_work.push(w);
    mine.seconds += since(t0);
  };
  arena.execute([&] {
    tbb::parallel_pipeline(tokens,
                           tbb::make_filter<void, work*>(tbb::filter_mode::serial_in_order, cut) &
                               tbb::make_filter<work*, void>(tbb::filter_mode::parallel, extract));
  });
  const auto merge_start = clock::now();
  for (findings& part : found) {
    report.counters.addresses_over_cap += table_.merge(std::move(part.table), cap());
    ips_.merge(std::move(part.ips));
    names_.merge(std::move(part.names));
    report.counters.merge(part.counters);
    report.extract_seconds += part.seconds;
  }
  report.merge_seconds = since(merge_start);

  reader.report_into(report, in);
  report.seconds = since(start);
  return report;
}

}  // namespace ouiscan::pipeline
