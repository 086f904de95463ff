// Drains an S3 object through ouiscan's parallel ranged reader without parsing it: the
// download half of `ouiscan s3://...`, for bench/s3_compare.sh. The bytes are taken as the
// scan takes them: lent (peek and skip), not copied out.
// Usage: s3_read s3://bucket/key   (settings from the environment, as ouiscan reads them)
#include <cstdio>
#include <memory>
#include <variant>

#include "ouiscan/s3/object_stream.h"

int main(int argc, char** argv) {
  using namespace ouiscan;  // NOLINT(google-build-using-namespace): a short main
  const auto loc = argc == 2 ? s3::parse_uri(argv[1]) : std::nullopt;
  if (!loc) {
    std::fputs("usage: s3_read s3://bucket/key\n", stderr);
    return 2;
  }
  auto settings = s3::resolve({}, s3::system_environment);
  if (const std::string* why = settings ? nullptr : &settings.error().message) {
    std::fprintf(stderr, "s3_read: %s\n", why->c_str());
    return 3;
  }
  auto c = std::make_shared<s3::client>(*std::move(settings));
  auto opened = s3::open_object(c, *loc);
  if (const auto* f = opened ? nullptr : &opened.error()) {
    std::fprintf(stderr, "s3_read: %s\n", f->message.c_str());
    return 3;
  }
  io::input& in = *opened;
  std::uint64_t total = 0;
  for (;;) {
    auto l = in.stream->peek(1 << 20);
    if (!l) {
      std::fprintf(stderr, "s3_read: %s\n", in.stream->error_detail().c_str());
      return 3;
    }
    if (l->data.empty()) break;
    in.stream->skip(l->data.size());
    total += l->data.size();
  }
  std::printf("%llu bytes\n", static_cast<unsigned long long>(total));
  return 0;
}
