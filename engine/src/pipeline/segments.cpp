// The parallel walk of a mapped file, segment by segment (scanner::scan_segments).
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "ouiscan/pipeline/scan.h"
#include "work.h"

namespace ouiscan::pipeline {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): the pipeline's internals

// A mapped file is walked in parallel: each segment starts at a guessed record boundary
// (capture::find_record_start) and walks to its bound; segments are then verified in order (a
// segment must start where the previous one stopped, under the same section state) and merged,
// and a segment whose guess was wrong is walked again from the true boundary. Every byte is read
// once, by one thread, with no serial pass over the records.
struct segment {
  std::size_t begin = 0;  // nominal range [begin, bound)
  std::size_t bound = 0;
  std::size_t start = 0;  // where the walk began
  std::size_t stop = 0;   // the first record boundary at or after bound, or where a fault lies
  std::shared_ptr<const capture::section_state> start_state;
  std::shared_ptr<const capture::section_state> end_state;
  std::uint64_t records = 0;
  std::optional<core::error> error;  // offset absolute, record counted from `start`
  bool walked = false;
  findings found;
};

constexpr std::size_t no_position = static_cast<std::size_t>(-1);

// Positions are in `all`, which starts at byte `base` of the capture (offsets in errors and
// the framer's limit are the capture's).
void walk_segment(core::bytes all, std::uint64_t base, segment& seg, std::size_t from,
                  std::shared_ptr<const capture::section_state> state, std::size_t chunk_bytes,
                  std::size_t cap, const frame_filter* filter,
                  std::atomic<std::uint64_t>* progress) {
  const auto t0 = clock::now();
  seg.found.table.clear();
  seg.found.ips = identity::ip_table{};
  seg.found.ipv6_hints.clear();
  seg.found.names = identity::name_table{};
  seg.found.counters = frame_counters{};
  seg.found.cap = cap;
  seg.found.filter = filter;
  seg.error.reset();
  seg.start = from;
  seg.start_state = state;
  capture::framer f;
  f.resume(std::move(state), base + from);
  f.set_limit(base + seg.bound);  // the walk ends at the first record boundary past the bound
  std::size_t pos = from;
  accountant acc(seg.found);
  for (;;) {
    auto cut = f.next_visiting(all.subspan(pos), true, chunk_bytes,
                               [&acc](const capture::frame& fr) { acc.add(fr); });
    acc.flush();
    if (!cut) {
      seg.error = cut.error();
      break;
    }
    pos += cut->skip + cut->length;
    if (progress != nullptr)
      progress->fetch_add(cut->skip + cut->length, std::memory_order_relaxed);
    if (cut->done) break;
  }
  seg.stop = seg.error ? static_cast<std::size_t>(seg.error->offset - base) : pos;
  seg.records = f.records();
  seg.end_state = f.section();
  seg.walked = true;
  seg.found.seconds += since(t0);
}

// A serial walk from the start of `all` that takes the records starting before `limit`.
struct head_walk {
  std::size_t to = 0;  // the first record boundary at or after the limit
  std::uint64_t records = 0;
  std::shared_ptr<const capture::section_state> state;  // in force at `to` (null before a header)
  std::optional<core::error> error;
};
head_walk walk_head(core::bytes all, std::uint64_t limit) {
  capture::framer f;
  f.set_limit(limit);
  head_walk out;
  for (;;) {
    auto cut =
        f.next(all.subspan(static_cast<std::size_t>(f.offset())), true, std::size_t{1} << 30);
    if (!cut) {
      out.error = cut.error();
      break;
    }
    if (cut->done || (cut->length == 0 && cut->skip == 0)) break;
  }
  out.to = static_cast<std::size_t>(f.offset());
  out.records = f.records();
  out.state = f.section();
  return out;
}

// The pcapng section state in force at want.start: from the header blocks the index lists
// (those that start before it, read in order), or by walking every block before it, which then
// also gives the exact first record boundary (`from`; npos when only the state is known).
struct pcapng_start {
  std::shared_ptr<const capture::section_state> state;
  std::uint64_t from = no_position;
  bool unknown = false;  // neither an index nor the bytes before the range to walk
};
constexpr std::uint64_t max_prefix_read = 256U << 20;
pcapng_start pcapng_state_at(const range_bytes& src, const byte_range& want,
                             std::shared_ptr<const capture::section_state> first) {
  if (!want.indexed) {
    std::vector<std::byte> prefix;
    core::bytes before = src.body;  // the whole capture, when the caller holds it all
    if (src.read) {
      // Bytes held in part (an s3:// object): the blocks before the range are read, up to a
      // limit; past it the range needs the index.
      if (want.start > max_prefix_read) return {std::move(first), no_position, true};
      prefix = src.read(0, std::min<std::uint64_t>(src.data_size, want.start + (1U << 20)));
      before = core::bytes(prefix.data(), prefix.size());
    }
    head_walk w = walk_head(before, want.start);
    if (!w.state) return {std::move(first)};
    if (w.error) return {std::move(w.state)};  // the state so far; the start is guessed
    return {std::move(w.state), w.to};
  }
  std::vector<std::byte> blocks;
  for (const auto& [offset, length] : want.headers) {
    if (offset >= want.start || offset >= src.data_size || length > src.data_size - offset) {
      continue;
    }
    if (src.read) {
      const std::vector<std::byte> one = src.read(offset, length);
      blocks.insert(blocks.end(), one.begin(), one.end());
    } else {
      const auto at = src.body.subspan(static_cast<std::size_t>(offset), length);
      blocks.insert(blocks.end(), at.begin(), at.end());
    }
  }
  head_walk w = walk_head(core::bytes(blocks.data(), blocks.size()),
                          std::numeric_limits<std::uint64_t>::max());
  if (!w.state) return {std::move(first)};
  return {std::move(w.state)};
}

}  // namespace

bool scanner::scan_segments(core::bytes all, unsigned threads, input_report& report) {
  // The file header (and pcapng's first section and interfaces), read once, serially.
  capture::framer head;
  auto first = head.next(all, true, 1);
  if (!first || first->length == 0 || !head.section()) return false;  // the pipeline reports it
  if (!head.section()->common_pcap()) return false;  // rare pcap variants: the chunk pipeline
  walk_segments(all, 0, first->skip, all.size(), head.section(), head.records() - first->records,
                threads, report);
  return true;
}

void scanner::scan_range(core::bytes all, input_report& report) {
  range_bytes whole;
  whole.head = all;
  whole.body = all;
  whole.data_size = all.size();
  (void)scan_range(whole, report);
}

std::uint64_t scanner::scan_range(const range_bytes& src, input_report& report) {
  const unsigned threads = worker_threads();
  const byte_range& want = *options_.range;
  range_walk walk{want.start, want.end};
  walk.data_size = src.data_size;
  const std::uint64_t base = src.base;
  const auto finish = [&](std::uint64_t to, const capture::section_state* at_end) {
    walk.to = to;
    if (at_end != nullptr) {
      walk.to_section = at_end->index;
      walk.to_interfaces = static_cast<std::uint32_t>(at_end->interfaces.size());
    }
    report.bytes_read = walk.to - walk.from;
    report.range = walk;
  };
  // The header blocks (the pcap file header, or pcapng's first section and its interfaces).
  capture::framer head;
  auto first = head.next(src.head, src.head.size() == src.data_size, 1);
  if (!first || !head.section()) {
    report.error = first ? core::error{core::errc::no_header, 0, 1, 0} : first.error();
    finish(0, nullptr);
    return 0;
  }
  std::shared_ptr<const capture::section_state> state = head.section();
  report.format = state->kind == capture::container::pcapng ? "pcapng" : "pcap";
  const std::uint64_t data_start = first->length == 0 ? head.offset() : first->skip;
  const std::uint64_t bound = std::min(want.end, src.data_size);
  std::uint64_t from = 0;
  std::uint64_t records = 0;
  if (want.start <= data_start) {
    // A cut inside the header blocks: they belong to the range their start lies in.
    const head_walk before = walk_head(src.head, want.start);
    walk.from = before.to;
    if (before.state) {
      walk.from_section = before.state->index;
      walk.from_interfaces = static_cast<std::uint32_t>(before.state->interfaces.size());
    }
    if (want.end <= data_start) {
      const head_walk upto = walk_head(src.head, want.end);
      report.records = upto.records - before.records;
      report.sections = upto.state ? upto.state->index + 1 : 0;
      finish(upto.to, upto.state.get());
      return 0;
    }
    records = (head.records() - first->records) - before.records;
    from = data_start;
  } else {
    std::uint64_t exact = no_position;
    if (state->kind == capture::container::pcapng) {
      auto at = pcapng_state_at(src, want, state);
      if (at.unknown) {
        report.error = core::error{core::errc::needs_index, want.start, 0, 0};
        finish(want.start, nullptr);
        return 0;
      }
      state = std::move(at.state);
      exact = at.from;
    }
    if (want.exact) exact = want.start;
    if (exact != no_position) {
      from = exact;
    } else {
      const std::size_t guess =
          capture::find_record_start(src.body, static_cast<std::size_t>(want.start - base),
                                     static_cast<std::size_t>(bound - base), *state);
      from = guess == no_position ? bound : base + guess;
    }
    from = std::min(from, std::max(bound, want.start));  // none starts in the range: empty
    walk.from = from;
    walk.from_section = state->index;
    walk.from_interfaces = static_cast<std::uint32_t>(state->interfaces.size());
  }
  if (from >= bound) {
    report.records = records;
    report.sections = state->index + 1;
    finish(std::max(from, walk.from), state.get());
    return 0;
  }
  // Bytes held in part: the record that crosses the range's end must be there whole before
  // anything is counted.
  if (src.read && base + src.body.size() < src.data_size) {
    capture::framer f;
    f.resume(state, from);
    f.set_limit(bound);
    for (;;) {
      const auto pos = static_cast<std::size_t>(f.offset() - base);
      auto cut = f.next(src.body.subspan(pos), false, std::size_t{1} << 30);
      if (!cut || cut->done) break;
      if (cut->length == 0 && cut->skip == 0) return std::max<std::uint64_t>(cut->need, 1U << 20);
    }
  }
  const auto end_state =
      walk_segments(src.body, base, static_cast<std::size_t>(from - base),
                    static_cast<std::size_t>(bound - base), state, records, threads, report);
  finish(base + report.bytes_read, end_state.get());
  return 0;
}

std::shared_ptr<const capture::section_state> scanner::walk_segments(
    core::bytes all, std::uint64_t base, std::size_t data_start, std::size_t end,
    std::shared_ptr<const capture::section_state> initial, std::uint64_t records, unsigned threads,
    input_report& report) {
  const std::size_t span = end - data_start;
  const std::size_t count =
      std::clamp<std::size_t>(span / options_.segment_bytes, 1,
                              std::size_t{threads} * std::max(1U, options_.segments_per_thread));
  std::vector<std::unique_ptr<segment>> segments;
  for (std::size_t k = 0; k < count; ++k) {
    auto seg = std::make_unique<segment>();
    seg->begin = k == 0 ? data_start : data_start + span / count * k;
    seg->bound = k + 1 == count ? end : data_start + span / count * (k + 1);
    segments.push_back(std::move(seg));
  }
  std::atomic<std::uint64_t>* progress = options_.progress;
  if (progress != nullptr) progress->store(data_start, std::memory_order_relaxed);

  std::size_t next = 0;
  std::size_t expected = data_start;  // where the next segment must start
  std::shared_ptr<const capture::section_state> expected_state = initial;
  bool ended = false;
  const auto emit = [&](tbb::flow_control& fc) -> segment* {
    if (next == segments.size()) {
      fc.stop();
      return nullptr;
    }
    return segments[next++].get();
  };
  const auto guess_and_walk = [&](segment* seg) -> segment* {
    const std::size_t guess = seg->begin == data_start ? data_start
                                                       : capture::find_record_start(
                                                             all, seg->begin, seg->bound, *initial);
    if (guess != no_position)
      walk_segment(all, base, *seg, guess, initial, options_.chunk_bytes, cap(), options_.filter,
                   progress);
    return seg;
  };
  const auto verify_and_merge = [&](segment* seg) {
    if (ended) return;
    if (!seg->walked || seg->start != expected ||
        !capture::same_state(*seg->start_state, *expected_state)) {
      // The guess was wrong (or found nothing): walk again from the true boundary.
      ++report.resumed_segments;
      walk_segment(all, base, *seg, expected, expected_state, options_.chunk_bytes, cap(),
                   options_.filter, nullptr);
    }
    const auto merge_start = clock::now();
    report.counters.addresses_over_cap += table_.merge(std::move(seg->found.table), cap());
    ips_.merge(std::move(seg->found.ips));
    names_.merge(std::move(seg->found.names));
    report.counters.merge(seg->found.counters);
    report.merge_seconds += since(merge_start);
    report.extract_seconds += seg->found.seconds;
    if (seg->error) {
      report.error = seg->error;
      report.error->record += records;
      ended = true;
    }
    records += seg->records;
    expected = seg->stop;
    expected_state = seg->end_state;
    report.bytes_read = seg->stop;
    report.sections = seg->end_state->index + 1;
    seg->found = findings{};  // release the segment's table now
  };
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_pipeline(
        threads + 1,
        tbb::make_filter<void, segment*>(tbb::filter_mode::serial_in_order, emit) &
            tbb::make_filter<segment*, segment*>(tbb::filter_mode::parallel, guess_and_walk) &
            tbb::make_filter<segment*, void>(tbb::filter_mode::serial_in_order, verify_and_merge));
  });
  report.format = initial->kind == capture::container::pcapng ? "pcapng" : "pcap";
  report.records = records;
  report.segments = count;
  return expected_state;
}

}  // namespace ouiscan::pipeline
