// Cuts an input into chunks of whole records for the pipeline.
#pragma once

#include <atomic>
#include <cstring>
#include <optional>

#include "ouiscan/io/input.h"
#include "work.h"

namespace ouiscan::pipeline::detail {

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
  bool next(work& w) {
    if (in_.mapped) return next_mapped(w);
    // --resync looks ahead and back across a fault: it reads into its own buffer.
    return in_.stream->lends() && !resync_ ? next_lent(w) : next_streamed(w);
  }

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
  // Chunks cut straight out of the memory a stream lends (S3 parts): only a record that starts
  // in one part and ends in the next is copied, into the work item's buffer (stitch).
  bool next_lent(work& w) {
    io::byte_stream& s = *in_.stream;
    if (!carry_.empty()) return stitch(w);
    std::size_t want = target_;
    for (;;) {
      auto l = s.peek(want);
      if (!l) {
        stream_error_ = l.error();
        stop(l.error());
        return false;
      }
      const core::bytes avail = l->data;
      auto cut = framer_.next(avail, l->last, target_);
      if (!cut) {
        stop(cut.error());
        return false;
      }
      const std::size_t used = cut->skip + cut->length;
      s.skip(used);
      if (progress_ != nullptr) progress_->store(s.raw_bytes_read(), std::memory_order_relaxed);
      if (cut->length > 0) {
        w.data = avail.subspan(cut->skip, cut->length);
        w.keep = std::move(l->keep);
        w.section = framer_.section();
        return true;
      }
      if (cut->done || l->last) return false;
      if (avail.size() < want) {  // the part ends inside the next record: carry its start over
        carry_.assign(avail.begin() + static_cast<std::ptrdiff_t>(used), avail.end());
        s.skip(avail.size() - used);
        return stitch(w);
      }
      want = std::max(cut->need, target_);
    }
  }

  // Completes the record begun in carry_ from the stream's next bytes, and cuts it (with any
  // whole records the copy happens to hold) from the work item's buffer.
  bool stitch(work& w) {
    io::byte_stream& s = *in_.stream;
    std::vector<std::byte>& b = w.owned;
    b.assign(carry_.begin(), carry_.end());
    carry_.clear();
    bool at_end = false;
    for (;;) {
      const core::bytes avail(b.data(), b.size());
      auto cut = framer_.next(avail, at_end, std::max(b.size(), std::size_t{1}));
      if (!cut) {
        stop(cut.error());
        return false;
      }
      const std::size_t used = cut->skip + cut->length;
      if (cut->length > 0) {
        carry_.assign(b.begin() + static_cast<std::ptrdiff_t>(used), b.end());
        w.data = avail.subspan(cut->skip, cut->length);
        w.keep.reset();
        w.section = framer_.section();
        return true;
      }
      if (cut->done || at_end) return false;
      b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(used));
      const std::size_t more = cut->need > b.size() ? cut->need - b.size() : 1;
      auto l = s.peek(more);
      if (!l) {
        stream_error_ = l.error();
        stop(l.error());
        return false;
      }
      const std::size_t take = std::min(more, l->data.size());
      b.insert(b.end(), l->data.begin(), l->data.begin() + static_cast<std::ptrdiff_t>(take));
      s.skip(take);
      at_end = l->last && take == l->data.size();
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

}  // namespace ouiscan::pipeline::detail
