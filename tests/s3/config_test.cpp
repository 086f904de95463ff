// Settings resolution (environment, shared files, profiles) and the listing parser.
#include "ouiscan/s3/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "ouiscan/s3/client.h"

namespace ouiscan::s3 {
namespace {

struct fake_env {
  std::map<std::string, std::string> vars;
  environment get() const {
    return [this](const char* name) -> const char* {
      const auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

overrides with_region(std::string r) {
  overrides o;
  o.region = std::move(r);
  return o;
}

overrides with_endpoint(std::string e) {
  overrides o;
  o.endpoint = std::move(e);
  return o;
}

class S3Config : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() /
            ("ouiscan-s3-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home_ / ".aws");
    env_.vars["HOME"] = home_.string();
    env_.vars["AWS_EC2_METADATA_DISABLED"] = "true";  // no test reaches beyond loopback
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(home_ / ".aws" / name) << text;
  }
  settings must_resolve(const overrides& o = {}) {
    auto r = resolve(o, env_.get());
    if (const std::string* why = r ? nullptr : &r.error().message) ADD_FAILURE() << *why;
    return r ? *r : settings{};
  }
  std::filesystem::path home_;
  fake_env env_;
};

TEST_F(S3Config, EnvironmentCredentialsAndRegion) {
  env_.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "secret-env";
  env_.vars["AWS_SESSION_TOKEN"] = "token-env";
  env_.vars["AWS_DEFAULT_REGION"] = "eu-west-1";
  const settings s = must_resolve();
  EXPECT_EQ(s.creds.access_key_id, "AKIDENV");
  EXPECT_EQ(s.creds.session_token, "token-env");
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_TRUE(s.endpoint.empty());
  EXPECT_FALSE(s.path_style);
  env_.vars["AWS_REGION"] = "eu-central-1";  // AWS_REGION wins over AWS_DEFAULT_REGION
  EXPECT_EQ(must_resolve().region, "eu-central-1");
  EXPECT_EQ(must_resolve(with_region("ap-south-1")).region, "ap-south-1");
}

TEST_F(S3Config, SharedFilesWithProfiles) {
  write("credentials",
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n"
        "# a comment\n[forensics]\naws_access_key_id=AKIDFORENSICS\n"
        "aws_secret_access_key=s2=with/equals+\naws_session_token = tok\n");
  write("config",
        "[default]\nregion = us-west-2\n[profile forensics]\nregion = eu-north-1\n"
        "endpoint_url = http://127.0.0.1:9000/\n");
  settings s = must_resolve();
  EXPECT_EQ(s.creds.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(s.region, "us-west-2");
  env_.vars["AWS_PROFILE"] = "forensics";
  env_.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";  // a named profile wins over the environment pair
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "secret-env";
  s = must_resolve();
  EXPECT_EQ(s.profile, "forensics");
  EXPECT_EQ(s.creds.access_key_id, "AKIDFORENSICS");
  EXPECT_EQ(s.creds.secret_access_key, "s2=with/equals+");
  EXPECT_EQ(s.creds.session_token, "tok");
  EXPECT_EQ(s.region, "eu-north-1");
  EXPECT_EQ(s.endpoint, "http://127.0.0.1:9000");
  EXPECT_TRUE(s.path_style);
}

TEST_F(S3Config, EndpointPrecedence) {
  env_.vars["AWS_ACCESS_KEY_ID"] = "A";
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "B";
  env_.vars["AWS_ENDPOINT_URL"] = "http://general:1";
  EXPECT_EQ(must_resolve().endpoint, "http://general:1");
  env_.vars["AWS_ENDPOINT_URL_S3"] = "http://s3only:2";
  EXPECT_EQ(must_resolve().endpoint, "http://s3only:2");
  EXPECT_EQ(must_resolve(with_endpoint("https://cli:3")).endpoint, "https://cli:3");
  auto bad = resolve(with_endpoint("127.0.0.1:9000"), env_.get());
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("http://"), std::string::npos);
}

TEST_F(S3Config, MissingCredentialsSayWhereTheyWereSought) {
  auto r = resolve({}, env_.get());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  env_.vars["AWS_PROFILE"] = "nosuch";
  r = resolve({}, env_.get());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("profile 'nosuch' not found"), std::string::npos);
}

TEST_F(S3Config, SecretsNeverInErrors) {
  env_.vars["AWS_ACCESS_KEY_ID"] = "AKIDX";
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "topsecretvalue";
  env_.vars["OUISCAN_MAX_BYTES"] = "lots";
  const auto r = resolve({}, env_.get());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("OUISCAN_MAX_BYTES='lots'"), std::string::npos);
  EXPECT_EQ(r.error().message.find("topsecretvalue"), std::string::npos);
}

TEST_F(S3Config, LimitsFromTheEnvironment) {
  env_.vars["AWS_ACCESS_KEY_ID"] = "A";
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "B";
  env_.vars["OUISCAN_MAX_BYTES"] = "20GiB";
  env_.vars["OUISCAN_S3_PART_BYTES"] = "1MiB";
  env_.vars["OUISCAN_S3_PARTS"] = "3";
  const settings s = must_resolve();
  EXPECT_EQ(s.max_bytes, 20ULL << 30);
  EXPECT_EQ(s.part_bytes, 1ULL << 20);
  EXPECT_EQ(s.parts_in_flight, 3U);
  overrides limit;
  limit.max_bytes = 5;
  EXPECT_EQ(must_resolve(limit).max_bytes, 5U);
}

TEST(S3Uri, Parse) {
  auto l = parse_uri("s3://captures/2026/11/edge router.pcapng");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->bucket, "captures");
  EXPECT_EQ(l->key, "2026/11/edge router.pcapng");
  EXPECT_FALSE(l->is_prefix());
  EXPECT_TRUE(parse_uri("s3://captures/2026/")->is_prefix());
  EXPECT_TRUE(parse_uri("s3://captures")->is_prefix());
  EXPECT_FALSE(parse_uri("s3:///key"));
  EXPECT_FALSE(parse_uri("/tmp/x.pcap"));
}

TEST(S3Size, Parse) {
  EXPECT_EQ(parse_size("20GiB"), 20ULL << 30);
  EXPECT_EQ(parse_size("512MB"), 512000000ULL);
  EXPECT_EQ(parse_size("1.5G"), 1500000000ULL);
  EXPECT_EQ(parse_size("1000"), 1000U);
  EXPECT_EQ(parse_size(" 4 kib "), 4096U);
  EXPECT_FALSE(parse_size("G"));
  EXPECT_FALSE(parse_size("12 parsecs"));
  EXPECT_FALSE(parse_size("-1"));
}

// A ListObjectsV2 answer as S3 documents it, with escaped characters in keys.
TEST(S3Listing, ParsesPagesAndEntities) {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
      "<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/"
      "wm36Hy4vbOwM=</NextContinuationToken>"
      "<Contents><Key>p/a &amp; b&lt;1&gt;.pcap</Key><LastModified>2026-11-26T10:00:00.000Z"
      "</LastModified><ETag>&quot;abc&quot;</ETag><Size>22</Size></Contents>"
      "<Contents><Key>p/caf&#233;&#x20AC;.pcapng</Key><ETag>\"d-2\"</ETag><Size>0</Size>"
      "</Contents></ListBucketResult>";
  const auto page = parse_list_page(xml);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 2U);
  EXPECT_EQ(page->objects[0].key, "p/a & b<1>.pcap");
  EXPECT_EQ(page->objects[0].etag, "\"abc\"");
  EXPECT_EQ(page->objects[0].size, 22U);
  EXPECT_EQ(page->objects[1].key, "p/caf\xC3\xA9\xE2\x82\xAC.pcapng");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_FALSE(parse_list_page("<Error><Code>NoSuchBucket</Code></Error>"));
  EXPECT_FALSE(
      parse_list_page("<ListBucketResult><Contents><Key>k</Key><Size>x</Size>"
                      "</Contents></ListBucketResult>"));
  // Truncated without a token cannot continue: refused rather than looping.
  EXPECT_FALSE(
      parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated>"
                      "</ListBucketResult>"));
}

TEST(S3Listing, ErrorDocument) {
  const auto [code, message] = parse_error(
      "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access &amp; "
      "Denied</Message><RequestId>1</RequestId></Error>");
  EXPECT_EQ(code, "AccessDenied");
  EXPECT_EQ(message, "Access & Denied");
}

}  // namespace
}  // namespace ouiscan::s3
