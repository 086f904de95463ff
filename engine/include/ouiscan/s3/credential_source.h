// File: credential_source.h
// Temporary AWS credentials fetched from an endpoint, and fetched again before they expire:
// the container credentials endpoint (ECS tasks, EKS Pod Identity, CodeBuild) and the EC2
// instance metadata service with IMDSv2 session tokens. resolve() (config.h) falls back to
// these, in the AWS CLI's order, when neither the environment nor the shared files hold keys.
//
//   auto source = s3::container_credentials(env);   // nullptr: not in a container
//   if (source && *source) auto creds = (*source)->current();  // refreshed when due
//
// No message made here holds a secret: an endpoint's answer is never quoted, only its status.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ouiscan/core/error.h"
#include "ouiscan/s3/config.h"
#include "ouiscan/s3/sigv4.h"

namespace ouiscan::s3 {

struct expiring_credentials {
  credentials creds;
  std::optional<std::chrono::system_clock::time_point> expiration;  // nullopt: never expires
};

// Thread-safe holder of credentials that one fetcher renews.
class credential_source {
 public:
  using fetcher = std::function<core::result<expiring_credentials, core::failure>()>;
  using clock = std::function<std::chrono::system_clock::time_point()>;
  // Credentials are fetched again once fewer than this remain before their expiration, as the
  // AWS SDKs do, so that no request is signed with keys that expire on the way.
  static constexpr std::chrono::minutes refresh_margin{5};

  credential_source(std::string description, fetcher fetch,
                    clock now = &std::chrono::system_clock::now);

  // The credentials to sign with now. A failed refresh keeps credentials that have not expired
  // yet (the endpoint may be briefly away); once they have, its failure is the answer.
  [[nodiscard]] core::result<credentials, core::failure> current();
  // "instance metadata at http://169.254.169.254 (role scanner)": for messages.
  [[nodiscard]] const std::string& description() const noexcept { return description_; }

 private:
  std::string description_;
  fetcher fetch_;
  clock now_;
  std::mutex mutex_;
  std::optional<expiring_credentials> held_;
};

using source_result = core::result<std::shared_ptr<credential_source>, core::failure>;

// From AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or _FULL_URI (https,
// or http to a loopback or container-agent address), sending AWS_CONTAINER_AUTHORIZATION_TOKEN
// or the token in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each fetch: it rotates).
// A null pointer when neither URI is set; a failure when the URI is not one to trust.
[[nodiscard]] source_result container_credentials(const environment& env,
                                                  const std::string& ca_file = {});

// From the instance metadata service, IMDSv2 only: a session token from PUT /latest/api/token,
// then the role's credentials. AWS_EC2_METADATA_SERVICE_ENDPOINT (or _ENDPOINT_MODE=IPv6)
// moves it; AWS_EC2_METADATA_DISABLED=true gives a null pointer. AWS_METADATA_SERVICE_TIMEOUT
// (seconds, default 1) and AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1) bound each request,
// as in the AWS CLI, so that a machine off EC2 learns it in about a second.
[[nodiscard]] source_result instance_credentials(const environment& env);

// The credential document both endpoints answer with: AccessKeyId, SecretAccessKey, Token and
// Expiration (ISO 8601); nullopt when a field is missing or Code says otherwise than Success.
[[nodiscard]] std::optional<expiring_credentials> parse_credential_document(std::string_view json);

}  // namespace ouiscan::s3
