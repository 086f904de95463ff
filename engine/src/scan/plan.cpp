#include "ouiscan/scan/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <span>

#include "inputs.h"
#include "ouiscan/capture/format.h"
#include "ouiscan/capture/framer.h"
#include "ouiscan/core/bytes.h"
#include "ouiscan/io/input.h"
#include "ouiscan/text/json.h"

namespace ouiscan::scan {
namespace {

namespace format = capture::format;

struct header_block {
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
};

// A capture read forward only, from a mapping or a stream: `exact` fills a buffer from the
// current position, `skip` passes bytes by unread (a stream still downloads them).
class forward_reader {
 public:
  explicit forward_reader(io::input& in) : in_(in) {}
  bool exact(std::byte* to, std::size_t n) {
    if (in_.mapped) {
      const core::bytes all = in_.mapped->data();
      if (all.size() - pos_ < n) return false;
      std::memcpy(to, all.data() + pos_, n);
      pos_ += n;
      return true;
    }
    while (n > 0) {
      auto got = in_.stream->read(std::span(to, n));
      if (!got || *got == 0) return false;
      to += *got;
      n -= *got;
    }
    return true;
  }
  bool skip(std::uint64_t n) {
    if (in_.mapped) {
      if (in_.mapped->data().size() - pos_ < n) return false;
      pos_ += static_cast<std::size_t>(n);
      return true;
    }
    while (n > 0) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(n, scratch_.size()));
      auto got = in_.stream->read(std::span(scratch_.data(), want));
      if (!got || *got == 0) return false;
      n -= *got;
    }
    return true;
  }

 private:
  io::input& in_;
  std::size_t pos_ = 0;
  std::array<std::byte, 1U << 16> scratch_{};
};

// The Section Header and Interface Description Blocks of a pcapng capture whose first 4 bytes
// were read, in order, found by hopping from block to block. A damaged chain ends the list
// where it breaks: later ranges then find their state by plausibility alone.
std::vector<header_block> pcapng_header_blocks(forward_reader& in,
                                               const std::array<std::byte, 4>& first) {
  std::vector<header_block> out;
  std::uint64_t at = 0;
  bool big_endian = false;
  std::array<std::byte, 12> head{};
  std::memcpy(head.data(), first.data(), first.size());
  std::size_t have = first.size();
  while (in.exact(head.data() + have, head.size() - have)) {
    have = 0;
    const auto type = core::load_le<std::uint32_t>(head.data());
    if (type == format::block_section_header) {
      big_endian = core::load_le<std::uint32_t>(head.data() + 8) != format::byte_order_magic;
    }
    const auto length = core::load<std::uint32_t>(head.data() + 4, big_endian);
    if (length < head.size() || length % 4 != 0 || length > capture::max_record_bytes) break;
    if (type == format::block_section_header || type == format::block_interface) {
      out.push_back({at, length});
    }
    if (!in.skip(length - head.size())) break;
    at += length;
  }
  return out;
}

// --headers for a range starting at `start`: the blocks before it.
std::string headers_before(const std::vector<header_block>& blocks, std::uint64_t start) {
  std::string out;
  for (const header_block& b : blocks) {
    if (b.offset >= start) break;
    if (!out.empty()) out += ',';
    out += fmt::format("{}+{}", b.offset, b.length);
  }
  return out.empty() ? "none" : out;
}

// One capture's items: whole when it is small (or compressed), else ranges.
void cut(const work_item& whole, const plan_request& req, const std::vector<header_block>* pcapng,
         std::vector<work_item>& out) {
  const unsigned parts = std::max(req.parts, 1U);
  std::uint64_t part = req.part_bytes != 0 ? req.part_bytes : (whole.size + parts - 1) / parts;
  part = std::max(part, min_part_bytes);
  std::uint64_t start = 0;
  do {
    work_item w = whole;
    w.start = start;
    w.end = std::min(whole.size, start + part);
    if (pcapng != nullptr && start > 0) w.headers = headers_before(*pcapng, start);
    out.push_back(std::move(w));
    start += part;
  } while (start < whole.size);
}

}  // namespace

core::result<std::vector<work_item>, core::failure> plan(const plan_request& req) {
  std::vector<work_item> out;
  remote_inputs remote(req.s3, req.client);
  for (const std::string& input : req.inputs) {
    const bool in_s3 = s3::is_s3_uri(input);
    const std::vector<std::string> names =
        in_s3 ? remote.expand(input) : std::vector<std::string>{input};
    if (names.empty()) return core::failure{remote.last_failure()};
    for (const std::string& name : names) {
      auto in = in_s3 ? remote.open(name) : io::open_input(name);
      if (!in) {
        return core::failure{
            in_s3 ? remote.last_failure()
                  : fmt::format("{}: cannot open: {}", name, std::strerror(in.error().sys_errno))};
      }
      work_item whole;
      whole.input = name;
      whole.size = in->mapped ? in->mapped->data().size() : in->size;
      if (in_s3) {
        const auto loc = s3::parse_uri(name);
        whole.bucket = loc->bucket;
        whole.key = loc->key;
        whole.etag = in->version;
      }
      if (in->compressed != io::compression::none || whole.size <= min_part_bytes) {
        whole.end = whole.size;  // cannot be cut, or not worth it: scanned whole
        out.push_back(whole);
        continue;
      }
      forward_reader reader(*in);
      std::array<std::byte, 4> first{};
      if (reader.exact(first.data(), first.size()) &&
          core::load_le<std::uint32_t>(first.data()) == format::block_section_header) {
        const std::vector<header_block> blocks = pcapng_header_blocks(reader, first);
        cut(whole, req, &blocks, out);
      } else {
        cut(whole, req, nullptr, out);
      }
    }
  }
  return out;
}

std::string plan_json(const std::vector<work_item>& items) {
  fmt::memory_buffer b;
  b.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    const work_item& w = items[i];
    text::append_raw(b, i == 0 ? "\n{\"input\":" : ",\n{\"input\":");
    text::append_json_string(b, w.input);
    if (!w.bucket.empty()) {
      text::append_raw(b, ",\"bucket\":");
      text::append_json_string(b, w.bucket);
      text::append_raw(b, ",\"key\":");
      text::append_json_string(b, w.key);
      text::append_raw(b, ",\"etag\":");
      text::append_json_string(b, w.etag);
    }
    fmt::format_to(std::back_inserter(b), ",\"start\":{},\"end\":{},\"size\":{}", w.start, w.end,
                   w.size);
    if (!w.headers.empty()) {
      text::append_raw(b, ",\"headers\":");
      text::append_json_string(b, w.headers);
    }
    b.push_back('}');
  }
  text::append_raw(b, "\n]\n");
  return fmt::to_string(b);
}

}  // namespace ouiscan::scan
