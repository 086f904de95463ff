// libFuzzer target: what an S3 server (or anyone pretending to be one) sends back as text: the
// ListObjectsV2 listing, error documents, and XML entities; and what a credential endpoint
// (instance metadata, container) answers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ouiscan/s3/client.h"
#include "ouiscan/s3/credential_source.h"
#include "ouiscan/text/entities.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto page = ouiscan::s3::parse_list_page(text)) {
    for (const auto& o : page->objects) {
      if (o.key.size() > size) __builtin_trap();  // decoding never grows a key
    }
  }
  (void)ouiscan::s3::parse_error(text);
  if (const auto c = ouiscan::s3::parse_credential_document(text)) {
    if (c->creds.access_key_id.empty() || c->creds.secret_access_key.empty()) __builtin_trap();
  }
  if (ouiscan::text::decode_entities(text).size() > size) __builtin_trap();
  return 0;
}
