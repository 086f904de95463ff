// SigV4 against AWS's published examples: the S3 API reference's header-based examples
// (GET Object with Range, PUT Object, GET Bucket lifecycle, List Objects) and the generic SigV4
// test suite's get-vanilla / post-vanilla, plus the documented signing-key derivation.
#include "ouiscan/s3/sigv4.h"

#include <gtest/gtest.h>

namespace ouiscan::s3 {
namespace {

const credentials s3_example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
constexpr std::string_view s3_date = "20130524T000000Z";
const name_value s3_host{"Host", "examplebucket.s3.amazonaws.com"};

TEST(SigV4, S3GetObjectWithRange) {
  request_to_sign r{"GET", "/test.txt", {}, {s3_host, {"Range", "bytes=0-9"}}};
  const auto s = sign_v4(r, s3_example, "us-east-1", "s3", s3_date);
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.headers.back().second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3PutObjectWithEncodedName) {
  request_to_sign r{"PUT",
                    std::string("/").append(uri_encode("test$file.text", true)),
                    {},
                    {s3_host,
                     {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                    sha256_hex("Welcome to Amazon S3.")};
  EXPECT_EQ(r.canonical_uri, "/test%24file.text");
  EXPECT_EQ(r.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(sign_v4(r, s3_example, "us-east-1", "s3", s3_date).signature,
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, S3QueryWithoutValue) {
  request_to_sign r{"GET", "/", {{"lifecycle", ""}}, {s3_host}};
  const auto s = sign_v4(r, s3_example, "us-east-1", "s3", s3_date);
  EXPECT_EQ(s.canonical_query, "lifecycle=");
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, S3ListObjectsSortsTheQuery) {
  request_to_sign r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {s3_host}};
  const auto s = sign_v4(r, s3_example, "us-east-1", "s3", s3_date);
  EXPECT_EQ(s.canonical_query, "max-keys=2&prefix=J");
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

const credentials suite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

TEST(SigV4, TestSuiteGetVanilla) {
  request_to_sign r{"GET", "/", {}, {{"Host", "example.amazonaws.com"}}};
  const auto s = sign_v4(r, suite, "us-east-1", "service", "20150830T123600Z", false);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, TestSuitePostVanilla) {
  request_to_sign r{"POST", "/", {}, {{"Host", "example.amazonaws.com"}}};
  EXPECT_EQ(sign_v4(r, suite, "us-east-1", "service", "20150830T123600Z", false).signature,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4, DocumentedSigningKey) {
  const auto k =
      signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
  std::string hex;
  for (const auto b : k) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 0xF];
  EXPECT_EQ(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, SessionTokenIsSignedAndSent) {
  const credentials temporary{"AKID", "secret", "token/with+chars="};
  request_to_sign r{"GET", "/", {}, {s3_host}};
  const auto s = sign_v4(r, temporary, "us-east-1", "s3", s3_date);
  EXPECT_NE(s.canonical_request.find("x-amz-security-token:token/with+chars=\n"),
            std::string::npos);
  EXPECT_NE(s.headers.back().second.find("x-amz-date;x-amz-security-token"), std::string::npos);
  // The secret itself never appears in anything the signer returns.
  EXPECT_EQ(s.canonical_request.find("secret"), std::string::npos);
  EXPECT_EQ(s.headers.back().second.find("secret"), std::string::npos);
}

// Encodings computed by hand from RFC 3986's unreserved set and UTF-8.
TEST(SigV4, UriEncodingOfAwkwardKeys) {
  EXPECT_EQ(uri_encode("dir/a b+c=d%e.pcap", true), "dir/a%20b%2Bc%3Dd%25e.pcap");
  EXPECT_EQ(uri_encode("dir/a b", false), "dir%2Fa%20b");
  EXPECT_EQ(uri_encode("caf\xC3\xA9/\xE2\x82\xAC", true), "caf%C3%A9/%E2%82%AC");
  EXPECT_EQ(uri_encode("A-Z_a.z~09", false), "A-Z_a.z~09");
  EXPECT_EQ(uri_encode("!*'();:@&$,?#[]", false), "%21%2A%27%28%29%3B%3A%40%26%24%2C%3F%23%5B%5D");
  // In a query, '=' and '&' inside values must not split pairs; '/' is encoded.
  EXPECT_EQ(canonical_query({{"prefix", "a=b&c/d e"}, {"list-type", "2"}}),
            "list-type=2&prefix=a%3Db%26c%2Fd%20e");
  EXPECT_EQ(canonical_query({{"continuation-token", "1/2+3="}}), "continuation-token=1%2F2%2B3%3D");
}

TEST(SigV4, HeaderValuesAreTrimmedAndFolded) {
  request_to_sign a{"GET", "/", {}, {s3_host, {"X-Custom", "  a   b  "}}};
  request_to_sign b{"GET", "/", {}, {s3_host, {"x-custom", "a b"}}};
  EXPECT_EQ(sign_v4(a, s3_example, "us-east-1", "s3", s3_date).signature,
            sign_v4(b, s3_example, "us-east-1", "s3", s3_date).signature);
}

TEST(SigV4, AmzDate) {
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(1369353600)), "20130524T000000Z");
}

}  // namespace
}  // namespace ouiscan::s3
