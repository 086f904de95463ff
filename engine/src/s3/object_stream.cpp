#include "ouiscan/s3/object_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "ouiscan/capture/framer.h"

namespace ouiscan::s3 {
namespace {

class object_stream final : public io::byte_stream {
 public:
  object_stream(std::shared_ptr<client> c, location loc, object_info info)
      : client_(std::move(c)),
        loc_(std::move(loc)),
        info_(std::move(info)),
        part_bytes_(client_->config().part_bytes),
        parts_((info_.size + part_bytes_ - 1) / part_bytes_),
        // One slot more than parts in flight: while the parser still holds lent bytes of the
        // part just read, every worker can be fetching.
        slots_(std::min<std::uint64_t>(client_->config().parts_in_flight + 1,
                                       std::max<std::uint64_t>(parts_, 1))) {
    const auto workers = std::min<std::uint64_t>(client_->config().parts_in_flight, slots_.size());
    for (std::size_t w = 0; w < workers; ++w) workers_.emplace_back([this] { work(); });
  }

  object_stream(const object_stream&) = delete;
  object_stream& operator=(const object_stream&) = delete;

  // Every loan must have been given back (the pipeline's work items are, before the input goes).
  ~object_stream() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    slot_freed_.notify_all();
    for (auto& w : workers_) w.join();
  }

  // The part being read is handed on as its bytes arrive, not once it is complete, so parsing
  // starts with the first bytes of the object and keeps pace with the download.
  core::result<std::size_t> read(std::span<std::byte> out) override {
    std::unique_lock lock(mutex_);
    auto at = wait_for(lock, 1);
    if (!at) return at.error();
    slot* s = *at;
    if (s == nullptr) return std::size_t{0};
    // The worker only writes past `filled`, so the copy needs no lock.
    const std::size_t n = std::min(out.size(), s->filled - offset_in_part_);
    const std::byte* from = s->data.data() + offset_in_part_;
    lock.unlock();
    std::memcpy(out.data(), from, n);
    lock.lock();
    offset_in_part_ += n;
    delivered_ += n;
    return n;
  }

  [[nodiscard]] bool lends() const noexcept override { return true; }

  core::result<io::loan> peek(std::size_t min_bytes) override {
    std::unique_lock lock(mutex_);
    auto at = wait_for(lock, std::max<std::size_t>(min_bytes, 1));
    if (!at) return at.error();
    slot* s = *at;
    if (s == nullptr) return io::loan{{}, nullptr, true};
    ++s->loans;
    const std::size_t n = s->filled - offset_in_part_;
    const bool last = reading_ + 1 == parts_ && offset_in_part_ + n == s->data.size();
    // The bytes below `filled` are not written again until every loan of the slot is back.
    return io::loan{core::bytes(s->data.data() + offset_in_part_, n),
                    std::shared_ptr<const void>(s, [this, s](const void*) { give_back(*s); }),
                    last};
  }

  void skip(std::size_t n) override {
    const std::lock_guard lock(mutex_);
    offset_in_part_ += n;
    delivered_ += n;
  }

  [[nodiscard]] std::uint64_t raw_bytes_read() const noexcept override { return delivered_; }
  [[nodiscard]] std::string error_detail() const override { return error_detail_; }

 private:
  // drained: the reader is past the part, but some of its bytes are still lent out.
  enum class slot_state : std::uint8_t { free, fetching, done, failed, drained };
  struct slot {
    std::uint64_t part = ~std::uint64_t{0};
    slot_state state = slot_state::free;
    std::vector<std::byte> data;
    std::size_t filled = 0;  // leading bytes of data that have arrived
    unsigned loans = 0;      // peek()s not yet given back
    failure_kind kind = failure_kind::unavailable;
    long status = 0;
    std::string failure_message;
  };

  // Waits until the part being read has `wanted` bytes past the position (fewer where the part
  // ends, or at a fault), moving on past parts read to their end. The slot, or null at the end
  // of the object, or the fault once the bytes before it have been read.
  core::result<slot*> wait_for(std::unique_lock<std::mutex>& lock, std::size_t wanted) {
    const auto& stop_at = client_->config().stop_at;
    while (true) {
      if (stop_at && std::chrono::system_clock::now() >= *stop_at) {
        error_detail_ = "stopped at the time limit";
        return core::error{core::errc::stopped, delivered_, 0, 0};
      }
      if (reading_ >= parts_) return nullptr;
      slot& s = slots_[reading_ % slots_.size()];
      const bool mine = s.part == reading_ && s.state != slot_state::free;
      if (mine && s.state == slot_state::done && offset_in_part_ == s.data.size()) {
        // Read to its end: the slot is free for a part further ahead once nothing is lent.
        s.state = s.loans == 0 ? slot_state::free : slot_state::drained;
        ++reading_;
        offset_in_part_ = 0;
        if (s.state == slot_state::free) slot_freed_.notify_all();
        continue;
      }
      const std::size_t have = mine ? s.filled - offset_in_part_ : 0;
      if (mine && have > 0 &&
          (have >= std::min(wanted, s.data.size() - offset_in_part_) ||
           s.state != slot_state::fetching)) {
        return &s;
      }
      if (mine && s.state == slot_state::failed) {
        error_detail_ = s.failure_message;
        return core::error{
            s.kind == failure_kind::changed ? core::errc::remote_changed : core::errc::remote_error,
            delivered_, 0, static_cast<int>(s.status)};
      }
      reader_wants_ = offset_in_part_ + wanted;
      reader_waiting_ = true;
      if (stop_at) {
        data_ready_.wait_until(lock, *stop_at);
      } else {
        data_ready_.wait(lock);
      }
      reader_waiting_ = false;
    }
  }

  void give_back(slot& s) {
    const std::lock_guard lock(mutex_);
    if (--s.loans == 0 && s.state == slot_state::drained) {
      s.state = slot_state::free;
      slot_freed_.notify_all();
    }
  }

  // Each worker takes the next part whose slot the reader has freed, fetches it with its own
  // connection, and publishes it. Parts more than parts_in_flight ahead of the reader wait.
  void work() {
    http::http_session session(client_->http_options());
    std::unique_lock lock(mutex_);
    while (true) {
      slot_freed_.wait(lock, [&] {
        return stopping_ || failed_ || next_ >= parts_ ||
               slots_[next_ % slots_.size()].state == slot_state::free;
      });
      if (stopping_ || failed_ || next_ >= parts_) return;
      const std::uint64_t part = next_++;
      slot& s = slots_[part % slots_.size()];
      s.part = part;
      s.state = slot_state::fetching;
      s.filled = 0;
      s.loans = 0;
      const std::uint64_t first = part * part_bytes_;
      s.data.resize(static_cast<std::size_t>(std::min(part_bytes_, info_.size - first)));
      lock.unlock();
      auto fault = client_->get_range(session, loc_, info_.etag, first, s.data,
                                      [&](std::size_t filled) { return arrived(s, filled); });
      lock.lock();
      if (fault) {
        s.state = slot_state::failed;
        s.kind = fault->kind;
        s.status = fault->status;
        s.failure_message = std::move(fault->message);
        failed_ = true;            // no new parts; those already fetched still reach the reader
        slot_freed_.notify_all();  // idle workers stop
      } else {
        s.state = slot_state::done;
        s.filled = s.data.size();
      }
      data_ready_.notify_all();
    }
  }

  // More bytes of a part have arrived: the reader is woken only if it waits for them, and
  // once as many as it asked for are there (or the part is complete). False once the stream
  // is closing: the transfer stops instead of running to the part's end.
  bool arrived(slot& s, std::size_t filled) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
      s.filled = filled;
      wake = reader_waiting_ && s.part == reading_ &&
             (filled >= reader_wants_ || filled == s.data.size());
    }
    if (wake) data_ready_.notify_all();
    return true;
  }

  std::shared_ptr<client> client_;
  location loc_;
  object_info info_;
  std::uint64_t part_bytes_;
  std::uint64_t parts_;
  std::vector<slot> slots_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable slot_freed_;  // workers wait for the reader to free a slot
  std::condition_variable data_ready_;  // the reader waits for bytes of its part
  bool reader_waiting_ = false;
  std::size_t reader_wants_ = 0;  // filled bytes of its part the waiting reader needs
  std::uint64_t next_ = 0;        // next part to fetch
  std::uint64_t reading_ = 0;     // part the reader is in
  std::size_t offset_in_part_ = 0;
  std::uint64_t delivered_ = 0;
  bool stopping_ = false;
  bool failed_ = false;
  std::string error_detail_;
};

bool ends_with_any(std::string_view name, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view s) { return name.ends_with(s); });
}

}  // namespace

std::unique_ptr<io::byte_stream> make_object_stream(std::shared_ptr<client> c, location loc,
                                                    object_info info) {
  return std::make_unique<object_stream>(std::move(c), std::move(loc), std::move(info));
}

core::result<io::input, failure> open_object(std::shared_ptr<client> c, const location& loc) {
  auto head = c->head(loc);
  if (const auto* f = head ? nullptr : &head.error()) return *f;
  object_info info = *std::move(head);
  const std::uint64_t limit = c->config().max_bytes;
  if (limit != 0 && info.size > limit) {
    return failure{failure_kind::too_large, 0,
                   fmt::format("{}: {} bytes is over the limit of {} bytes (--max-bytes or "
                               "OUISCAN_MAX_BYTES); nothing was downloaded",
                               loc.uri(), info.size, limit)};
  }
  const std::uint64_t size = info.size;
  std::string etag = info.etag;
  auto in =
      io::open_stream(loc.uri(), make_object_stream(std::move(c), loc, std::move(info)), size);
  if (!in) {
    return failure{failure_kind::unavailable, 0,
                   fmt::format("{}: {}", loc.uri(), core::to_string(in.error()))};
  }
  in->version = std::move(etag);
  return std::move(*in);
}

bool looks_like_capture(client& c, const location& loc, const object_info& info) {
  if (info.size == 0 || loc.key.ends_with('/')) return false;
  std::string name = loc.key;
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (std::string_view z : {".gz", ".zst", ".zstd"}) {
    if (name.ends_with(z)) name.resize(name.size() - z.size());
  }
  if (ends_with_any(name, {".pcap", ".pcapng", ".cap", ".ntar", ".dmp"})) return true;
  // Otherwise ask for the first bytes: a pcap or pcapng magic, or a compressed stream.
  std::array<std::byte, 4> head{};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(info.size, head.size()));
  http::http_session session(c.http_options());
  if (n < 4 || c.get_range(session, loc, info.etag, 0, std::span(head).first(n))) return false;
  std::uint32_t magic = 0;
  std::memcpy(&magic, head.data(), 4);
  return capture::is_capture_magic(magic) || io::compression_of(head) != io::compression::none;
}

}  // namespace ouiscan::s3
