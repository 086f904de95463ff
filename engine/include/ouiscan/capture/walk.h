// File: walk.h
// The one loop that drives a framer over bytes held in memory, for every caller that is not
// the pipeline (tests, fuzz targets, benchmarks): the whole input at once, or revealed as a
// stream a few bytes at a time, cutting chunks of about `target` bytes.
//
//   capture::walk(data, {}, [&](const capture::frame& f) { ++frames; });
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>

#include "ouiscan/capture/framer.h"

namespace ouiscan::capture {

struct walk_options {
  std::size_t target = std::size_t{1} << 20;  // bytes per chunk, about
  std::size_t step = 0;   // reveal the input this many bytes at a time (0: all of it at once)
  bool one_pass = false;  // next_visiting (a mapped scan) instead of next then for_each_frame
};

struct walk_end {
  std::optional<core::error> error;  // the fault that ended the walk, if any
  bool stalled = false;  // the framer asked for more bytes at the end of the input (a bug)
  std::uint64_t records = 0;
  std::uint32_t sections = 0;
};

template <typename Fn>
walk_end walk(core::bytes data, const walk_options& o, Fn&& on_frame) {
  walk_end end;
  framer f;
  std::size_t pos = 0;
  std::size_t visible = o.step == 0 ? data.size() : std::min(o.step, data.size());
  for (;;) {
    const bool eof = visible == data.size();
    const core::bytes avail = data.subspan(pos, visible - pos);
    auto cut =
        o.one_pass ? f.next_visiting(avail, eof, o.target, on_frame) : f.next(avail, eof, o.target);
    if (!cut) {
      end.error = cut.error();
      break;
    }
    if (!o.one_pass && cut->length > 0) {
      for_each_frame(avail.subspan(cut->skip, cut->length), *f.section(), on_frame);
    }
    pos += cut->skip + cut->length;
    if (cut->done) break;
    if (cut->length == 0) {
      if (eof) {
        end.stalled = true;
        break;
      }
      visible = std::min(data.size(), std::max(visible + o.step, pos + cut->need));
    }
  }
  end.records = f.records();
  end.sections = f.sections();
  return end;
}

}  // namespace ouiscan::capture
