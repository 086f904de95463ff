#include "ouiscan/pipeline/scan.h"

#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>

namespace ouiscan::pipeline {
namespace {

// One token's worth of work: a chunk of whole records.
struct work {
  core::bytes data;
  std::vector<std::byte> owned;  // the chunk's bytes when the input is a stream
  std::shared_ptr<const capture::section_state> section;
};

// What one worker thread has found; the threads' findings are merged once, at the end of the
// input, so the per-frame path touches no shared state and takes no lock.
struct findings {
  std::size_t cap = std::numeric_limits<std::size_t>::max();  // --max-addresses
  const frame_filter* filter = nullptr;
  address_table table;
  frame_counters counters;
  double seconds = 0;  // time spent extracting, for the per-stage report
};

using clock = std::chrono::steady_clock;
double since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

// Cuts an input into chunks of whole records: straight out of the mapping, or, for a stream,
// read straight into the work item's own buffer (the partial record after a cut is carried to
// the next one), so that stream bytes are copied once, by the stream itself.
class chunk_reader {
 public:
  chunk_reader(io::input& in, std::size_t chunk_bytes, std::atomic<std::uint64_t>* progress,
               bool resync)
      : in_(in), target_(chunk_bytes), progress_(progress), resync_(resync) {
    framer_.set_strict(resync);
    if (in.mapped) {
      all_ = in.mapped->data();
      eof_ = true;
    }
  }

  // Fills w with the next chunk; false at the end of the input or at a fault (see report_into).
  bool next(work& w) { return in_.mapped ? next_mapped(w) : next_streamed(w); }

  // Where the walk ended, the records it took and how it ended, for the input's report.
  void report_into(input_report& report, const io::input& in) {
    if (framer_.started() && framer_.section()) {
      report.format = framer_.section()->kind == capture::container::pcapng ? "pcapng" : "pcap";
    }
    report.bytes_read = framer_.offset();
    report.records = framer_.records();
    report.sections = framer_.sections();
    report.error = error_;
    report.skipped = std::move(skipped_);
    if (report.error && in.stream) report.error_detail = in.stream->error_detail();
  }

 private:
  // Corruption inside a section, worth looking past (not an unreadable header, not the end).
  [[nodiscard]] bool can_resync(const core::error& e) const noexcept {
    return resync_ && framer_.section() != nullptr &&
           (e.code == core::errc::bad_record_length || e.code == core::errc::bad_block_length ||
            e.code == core::errc::bad_interface);
  }

  // The first likely record boundary after the fault at window[at], or npos.
  std::size_t find_resync_point(core::bytes window, std::size_t at) const {
    return capture::find_record_start(window, at + 1, window.size(), *framer_.section());
  }

  void note_skip(const core::error& cause, std::uint64_t to) {
    skipped_.push_back({cause.offset, to - cause.offset, cause});
    framer_.resync(to);
  }

  bool next_mapped(work& w) {
    auto cut = framer_.next(all_.subspan(pos_), true, target_);
    while (!cut && can_resync(cut.error()) && cut.error().offset >= pos_) {
      const auto at = static_cast<std::size_t>(cut.error().offset);
      const std::size_t q = find_resync_point(all_, at);
      if (q == std::string::npos) break;
      note_skip(cut.error(), q);
      pos_ = q;
      cut = framer_.next(all_.subspan(pos_), true, target_);
    }
    const core::bytes avail = all_.subspan(pos_);
    if (!cut) {
      stop(cut.error());
      return false;
    }
    pos_ += cut->skip + cut->length;
    if (progress_ != nullptr) progress_->store(pos_, std::memory_order_relaxed);
    if (cut->length == 0) return false;  // the whole input is there: nothing more will come
    w.data = avail.subspan(cut->skip, cut->length);
    w.section = framer_.section();
    return true;
  }

  // The work item's buffer holds the bytes carried over from the previous cut, then what is
  // read; a cut leaves its chunk there and carries the rest on. Memory stays bounded: a buffer
  // holds at most a chunk target or one record (capped by capture::max_record_bytes).
  bool next_streamed(work& w) {
    std::vector<std::byte>& b = w.owned;
    std::size_t have = carry_.size();
    if (b.size() < std::max(have, target_)) b.resize(std::max(have, target_));
    if (have > 0) std::memcpy(b.data(), carry_.data(), have);
    carry_.clear();
    std::size_t want = target_;
    for (;;) {
      have = fill(b, have, want);
      const core::bytes avail(b.data(), have);
      auto cut = framer_.next(avail, eof_, target_);
      if (!cut && can_resync(cut.error()) && cut.error().offset >= framer_.offset() &&
          cut.error().offset - framer_.offset() < have) {
        // Look ahead up to a window of resync_window bytes for the next plausible record.
        const auto at = static_cast<std::size_t>(cut.error().offset - framer_.offset());
        have = fill(b, have, std::max(have, at + resync_window));
        const std::size_t q = find_resync_point(core::bytes(b.data(), have), at);
        if (q != std::string::npos) {
          note_skip(cut.error(), framer_.offset() + q);
          std::memmove(b.data(), b.data() + q, have - q);
          have -= q;
          want = target_;
          continue;
        }
      }
      if (!cut) {
        stop(cut.error());
        return false;
      }
      const std::size_t used = cut->skip + cut->length;
      if (cut->length > 0) {
        carry_.assign(b.begin() + static_cast<std::ptrdiff_t>(used),
                      b.begin() + static_cast<std::ptrdiff_t>(have));
        w.data = avail.subspan(cut->skip, cut->length);
        w.section = framer_.section();
        return true;
      }
      std::memmove(b.data(), b.data() + used, have - used);
      have -= used;
      if (cut->done || eof_) {
        if (stream_error_) stop(*stream_error_);
        return false;
      }
      want = std::max(cut->need, target_);
    }
  }
  // A read fault ends the input, but the records already buffered are used first; the stream's
  // error then takes precedence over the framer's view of the cut-off data.
  void stop(core::error framer_error) {
    if (stream_error_) {
      core::error e = *stream_error_;
      // Offsets inside a compressed stream mean little; report where the capture data stopped.
      e.offset = framer_.offset();
      e.record = framer_.records() + 1;
      error_ = e;
    } else {
      error_ = framer_error;
    }
  }

  // Reads into b after its first `have` bytes until `want` bytes are there or the stream ends;
  // returns how many bytes b then holds.
  std::size_t fill(std::vector<std::byte>& b, std::size_t have, std::size_t want) {
    if (b.size() < want) b.resize(want);
    while (have < want && !eof_) {
      auto n = in_.stream->read(std::span(b.data() + have, want - have));
      if (progress_ != nullptr) {
        progress_->store(in_.stream->raw_bytes_read(), std::memory_order_relaxed);
      }
      if (!n) {
        stream_error_ = n.error();
        eof_ = true;
      } else if (*n == 0) {
        eof_ = true;
      } else {
        have += *n;
      }
    }
    return have;
  }

  io::input& in_;
  capture::framer framer_;
  std::size_t target_;
  std::atomic<std::uint64_t>* progress_;
  core::bytes all_;
  std::size_t pos_ = 0;
  std::vector<std::byte> carry_;  // streams: the bytes after the last cut
  bool resync_ = false;
  std::vector<skipped_range> skipped_;
  static constexpr std::size_t resync_window = 16U << 20;
  bool eof_ = false;
  std::optional<core::error> error_;
  std::optional<core::error> stream_error_;
};

// Accounts frames in small batches. Per address, the table's slot and then its statistics are
// each a likely cache miss; taken one frame at a time they are waited for in turn. A batch is
// decoded first and the slots of all its addresses requested, then the slots are read and the
// statistics requested, then the statistics updated, so the misses of a batch overlap.
class accountant {
 public:
  explicit accountant(findings& w) : w_(w) {}
  accountant(const accountant&) = delete;
  accountant& operator=(const accountant&) = delete;
  ~accountant() = default;

  // Accounts one frame; false when the filter rejected it (it is only counted).
  bool add(const capture::frame& f) {
    frame_counters& c = w_.counters;
    const std::uint16_t link = f.iface->link_type;
    ++c.frames;
    c.wire_bytes += f.origlen;
    c.captured_bytes += f.caplen;
    if (f.caplen > f.origlen) ++c.caplen_over_origlen;
    if (f.ts_ns == capture::no_timestamp) {
      ++c.untimed_frames;
    } else {
      c.first_ns = std::min(c.first_ns, f.ts_ns);
      c.last_ns = std::max(c.last_ns, f.ts_ns);
    }
    c.add_link(link, f.origlen);
    if (w_.filter != nullptr && !w_.filter->keep(f)) {
      ++c.filtered_out;
      return false;
    }
    decoded& d = batch_[size_];
    d.link = link;
    d.origlen = f.origlen;
    d.ts_ns = f.ts_ns;
    capture::decode(link, core::bytes(f.data, f.caplen), d.hits);
    ++c.status[static_cast<std::size_t>(d.hits.status)];
    if (!d.hits.vlans().empty()) ++c.frames_with_vlan;
    for (const capture::address_hit& h : d.hits.addresses()) w_.table.prefetch(h.mac);
    if (++size_ == batch) flush();
    return true;
  }

  // Accounts the frames still in the batch; call at the end of every chunk.
  void flush() {
    address_table& table = w_.table;
    for (std::size_t k = 0; k < size_; ++k) {
      decoded& d = batch_[k];
      std::size_t n = 0;
      for (const capture::address_hit& h : d.hits.addresses()) {
        const std::size_t i = table.index_within(h.mac, w_.cap);
        if (i == address_table::no_index) {
          ++w_.counters.addresses_over_cap;
        } else {
          table.prefetch_stats(i);
        }
        d.index[n++] = i;
      }
    }
    for (std::size_t k = 0; k < size_; ++k) {
      const decoded& d = batch_[k];
      std::size_t n = 0;
      for (const capture::address_hit& h : d.hits.addresses()) {
        const std::size_t i = d.index[n++];
        if (i != address_table::no_index) update(table.stats(i), h.roles, d);
      }
    }
    size_ = 0;
  }

 private:
  struct decoded {
    capture::frame_addresses hits;
    std::array<std::size_t, capture::frame_addresses::max_addresses> index;
    std::int64_t ts_ns;
    std::uint32_t origlen;
    std::uint16_t link;
  };

  static void update(address_stats& s, std::uint16_t roles, const decoded& d) {
    if ((roles & capture::frame_roles) != 0) ++s.frames;
    if ((roles & capture::arp_roles) != 0) ++s.arp_frames;
    if ((roles & capture::role_src) != 0) {
      ++s.src_frames;
      s.src_bytes += d.origlen;
    }
    if ((roles & capture::role_dst) != 0) {
      ++s.dst_frames;
      s.dst_bytes += d.origlen;
    }
    s.roles = static_cast<std::uint16_t>(s.roles | roles);
    if (d.ts_ns != capture::no_timestamp) {
      s.first_ns = std::min(s.first_ns, d.ts_ns);
      s.last_ns = std::max(s.last_ns, d.ts_ns);
    }
    for (std::uint16_t vid : d.hits.vlans()) s.vlans.insert(vid);
    s.link_types.insert(d.link);
  }

  static constexpr std::size_t batch = 8;
  findings& w_;
  std::array<decoded, batch> batch_;
  std::size_t size_ = 0;
};

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

void walk_segment(core::bytes all, segment& seg, std::size_t from,
                  std::shared_ptr<const capture::section_state> state, std::size_t chunk_bytes,
                  std::size_t cap, const frame_filter* filter,
                  std::atomic<std::uint64_t>* progress) {
  const auto t0 = clock::now();
  seg.found.table.clear();
  seg.found.counters = frame_counters{};
  seg.found.cap = cap;
  seg.found.filter = filter;
  seg.error.reset();
  seg.start = from;
  seg.start_state = state;
  capture::framer f;
  f.resume(std::move(state), from);
  std::size_t pos = from;
  accountant acc(seg.found);
  while (pos < seg.bound) {
    auto cut = f.next_visiting(all.subspan(pos), true, std::min(chunk_bytes, seg.bound - pos),
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
  seg.stop = seg.error ? static_cast<std::size_t>(seg.error->offset) : pos;
  seg.records = f.records();
  seg.end_state = f.section();
  seg.walked = true;
  seg.found.seconds += since(t0);
}

}  // namespace

void frame_counters::add_link(std::uint16_t link_type, std::uint64_t bytes) {
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

scanner::scanner(scan_options options) : options_(options), frames_left_(options.max_frames) {}

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
  report.counters.addresses_over_cap += table_.merge(mine.table, cap());
  report.counters.merge(mine.counters);
  reader.report_into(report, in);
}

bool scanner::scan_segments(core::bytes all, unsigned threads, input_report& report) {
  // The file header (and pcapng's first section and interfaces), read once, serially.
  capture::framer head;
  auto first = head.next(all, true, 1);
  if (!first || first->length == 0 || !head.section()) return false;  // the pipeline reports it
  const std::shared_ptr<const capture::section_state> initial = head.section();
  if (!initial->common_pcap()) return false;  // rare pcap variants: the chunk pipeline
  const std::size_t data_start = first->skip;

  const std::size_t count =
      std::clamp<std::size_t>(all.size() / options_.segment_bytes, 1,
                              std::size_t{threads} * std::max(1U, options_.segments_per_thread));
  std::vector<std::unique_ptr<segment>> segments;
  for (std::size_t k = 0; k < count; ++k) {
    auto seg = std::make_unique<segment>();
    seg->begin = k == 0 ? data_start : all.size() / count * k;
    seg->bound = k + 1 == count ? all.size() : all.size() / count * (k + 1);
    segments.push_back(std::move(seg));
  }
  std::atomic<std::uint64_t>* progress = options_.progress;
  if (progress != nullptr) progress->store(data_start, std::memory_order_relaxed);

  std::size_t next = 0;
  std::size_t expected = data_start;  // where the next segment must start
  std::shared_ptr<const capture::section_state> expected_state = initial;
  std::uint64_t records = head.records() - first->records;  // pcapng header blocks count
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
      walk_segment(all, *seg, guess, initial, options_.chunk_bytes, cap(), options_.filter,
                   progress);
    return seg;
  };
  const auto verify_and_merge = [&](segment* seg) {
    if (ended) return;
    if (!seg->walked || seg->start != expected ||
        !capture::same_state(*seg->start_state, *expected_state)) {
      // The guess was wrong (or found nothing): walk again from the true boundary.
      ++report.resumed_segments;
      walk_segment(all, *seg, expected, expected_state, options_.chunk_bytes, cap(),
                   options_.filter, nullptr);
    }
    const auto merge_start = clock::now();
    report.counters.addresses_over_cap += table_.merge(seg->found.table, cap());
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
  return true;
}

input_report scanner::scan(io::input& in) {
  const auto start = clock::now();
  input_report report;
  report.name = in.name;
  report.compression = io::to_string(in.compressed);
  report.size = in.size;

  // More threads than cores only adds contention (and oneTBB caps its workers anyway).
  const auto cores = static_cast<unsigned>(tbb::info::default_concurrency());
  const unsigned threads = options_.threads != 0 ? std::min(options_.threads, cores) : cores;
  if (options_.max_frames != 0) {
    scan_counted(in, report);
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
    free_work.push(w);
    mine.seconds += since(t0);
  };
  arena.execute([&] {
    tbb::parallel_pipeline(tokens,
                           tbb::make_filter<void, work*>(tbb::filter_mode::serial_in_order, cut) &
                               tbb::make_filter<work*, void>(tbb::filter_mode::parallel, extract));
  });
  const auto merge_start = clock::now();
  for (const findings& part : found) {
    report.counters.addresses_over_cap += table_.merge(part.table, cap());
    report.counters.merge(part.counters);
    report.extract_seconds += part.seconds;
  }
  report.merge_seconds = since(merge_start);

  reader.report_into(report, in);
  report.seconds = since(start);
  return report;
}

}  // namespace ouiscan::pipeline
