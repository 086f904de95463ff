// Temporary credentials: the document both endpoints answer with, renewal before expiry on a
// clock the test moves, and which endpoints may be trusted. The endpoints themselves are
// emulated on loopback by tests/tools/s3_test.py (section 14).
#include "ouiscan/s3/credential_source.h"

#include <gtest/gtest.h>

#include <map>

namespace ouiscan::s3 {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

environment env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(CredentialDocument, ReadsTheFieldsAndTheExpiration) {
  // The shape the instance metadata service documents; 2026-12-02T15:00:00Z is 1796223600 s
  // after the epoch (date -u -d 2026-12-02T15:00:00Z +%s).
  const auto doc = parse_credential_document(
      R"({"Code":"Success","LastUpdated":"2026-12-02T08:59:00Z","Type":"AWS-HMAC",)"
      R"("AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalr/K7MDENG","Token":"IQoJb3JpZ2lu",)"
      R"("Expiration":"2026-12-02T15:00:00Z"})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->creds.access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(doc->creds.secret_access_key, "wJalr/K7MDENG");
  EXPECT_EQ(doc->creds.session_token, "IQoJb3JpZ2lu");
  ASSERT_TRUE(doc->expiration.has_value());
  EXPECT_EQ(std::chrono::duration_cast<seconds>(doc->expiration->time_since_epoch()).count(),
            1796223600);
  // The container endpoint's shape: no Code, RoleArn instead.
  const auto container = parse_credential_document(
      R"({"RoleArn":"arn:aws:iam::1:role/x","AccessKeyId":"A","SecretAccessKey":"S",)"
      R"("Token":"T","Expiration":"2026-12-02T15:00:00Z"})");
  ASSERT_TRUE(container.has_value());
  EXPECT_EQ(container->creds.session_token, "T");
}

TEST(CredentialDocument, RefusesWhatCannotSign) {
  EXPECT_FALSE(parse_credential_document(R"({"Code":"Failure","AccessKeyId":"A",)"
                                         R"("SecretAccessKey":"S"})"));
  EXPECT_FALSE(parse_credential_document(R"({"AccessKeyId":"A"})"));
  EXPECT_FALSE(parse_credential_document(R"({"AccessKeyId":"A","SecretAccessKey":""})"));
  EXPECT_FALSE(parse_credential_document(R"({"AccessKeyId":"A","SecretAccessKey":"S",)"
                                         R"("Expiration":"soon"})"));
  EXPECT_FALSE(parse_credential_document("not json"));
  EXPECT_FALSE(parse_credential_document(""));
}

// A fetcher handing out K1, K2, ... each valid for 15 minutes from the test clock's now, or
// failing while `down` is set.
struct fake_endpoint {
  system_clock::time_point now = system_clock::time_point(seconds(1796223600));
  int fetches = 0;
  bool down = false;
  minutes lifetime{15};

  credential_source source() {
    return credential_source(
        "the test endpoint",
        [this]() -> core::result<expiring_credentials, core::failure> {
          if (down) return core::failure{"the test endpoint: HTTP 500"};
          ++fetches;
          std::string key = std::to_string(fetches);
          key.insert(key.begin(), 'K');  // "K" + ... trips GCC 12's -Wrestrict false positive
          return expiring_credentials{{key, "secret", "token"}, now + lifetime};
        },
        [this] { return now; });
  }
};

TEST(CredentialSource, RenewsFiveMinutesBeforeExpiry) {
  fake_endpoint e;
  credential_source s = e.source();
  const auto t0 = e.now;
  EXPECT_EQ(s.current()->access_key_id, "K1");
  e.now = t0 + minutes(9) + seconds(59);  // 5 min 1 s left: still good
  EXPECT_EQ(s.current()->access_key_id, "K1");
  EXPECT_EQ(e.fetches, 1);
  e.now = t0 + minutes(10);  // 5 min left: renewed
  EXPECT_EQ(s.current()->access_key_id, "K2");
  EXPECT_EQ(e.fetches, 2);
  // K2 expires at t0 + 25 min. An endpoint that is away keeps K2 while it is valid...
  e.down = true;
  e.now = t0 + minutes(21);
  EXPECT_EQ(s.current()->access_key_id, "K2");
  e.now = t0 + minutes(24) + seconds(59);
  EXPECT_EQ(s.current()->access_key_id, "K2");
  // ...and says so once it has expired.
  e.now = t0 + minutes(25);
  auto expired = s.current();
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().message, "the test endpoint: HTTP 500");
  e.down = false;
  EXPECT_EQ(s.current()->access_key_id, "K3");
}

TEST(CredentialSource, CredentialsAlreadyExpiredAreRefused) {
  fake_endpoint e;
  e.lifetime = minutes(-1);
  credential_source s = e.source();
  auto r = s.current();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("already expired"), std::string::npos);
}

TEST(CredentialSource, CredentialsWithoutExpirationAreFetchedOnce) {
  int fetches = 0;
  credential_source s("static", [&]() -> core::result<expiring_credentials, core::failure> {
    ++fetches;
    return expiring_credentials{{"A", "S", ""}, std::nullopt};
  });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.current()->access_key_id, "A");
  EXPECT_EQ(fetches, 1);
}

TEST(ContainerCredentials, WhichEndpointsAreTrusted) {
  auto none = container_credentials(env_of({}));
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, nullptr);

  auto relative = container_credentials(
      env_of({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}}));
  ASSERT_TRUE(relative && *relative);
  EXPECT_EQ((*relative)->description(), "the container credentials endpoint http://169.254.170.2");

  for (const char* ok : {"http://127.0.0.1:8080/creds", "http://localhost/x", "http://[::1]:9/x",
                         "http://169.254.170.23/v1/credentials", "https://creds.example.com/x"}) {
    auto s = container_credentials(env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ok}}));
    EXPECT_TRUE(s && *s) << ok;
  }
  // Plain http elsewhere could hand the token to anyone on the path.
  for (const char* bad : {"http://creds.example.com/x", "http://127.0.0.1.evil.test/x",
                          "http://user@10.0.0.1/x", "ftp://127.0.0.1/x"}) {
    auto s = container_credentials(env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", bad}}));
    ASSERT_FALSE(s.has_value()) << bad;
    EXPECT_NE(s.error().message.find("must be https://"), std::string::npos);
  }
}

TEST(InstanceCredentials, EndpointAndSwitch) {
  auto standard = instance_credentials(env_of({}));
  ASSERT_TRUE(standard && *standard);
  EXPECT_EQ((*standard)->description(), "instance metadata at http://169.254.169.254");
  auto v6 = instance_credentials(env_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}));
  EXPECT_EQ((*v6)->description(), "instance metadata at http://[fd00:ec2::254]");
  auto moved = instance_credentials(
      env_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/"}}));
  EXPECT_EQ((*moved)->description(), "instance metadata at http://127.0.0.1:1338");
  for (const char* off : {"true", "TRUE", "True"}) {
    auto disabled = instance_credentials(env_of({{"AWS_EC2_METADATA_DISABLED", off}}));
    ASSERT_TRUE(disabled.has_value());
    EXPECT_EQ(*disabled, nullptr) << off;
  }
  auto bad = instance_credentials(env_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "127.0.0.1"}}));
  EXPECT_FALSE(bad.has_value());
}

}  // namespace
}  // namespace ouiscan::s3
