// ouiscan-lambda: the AWS Lambda custom runtime (provided.al2023). Serves invocations from the
// Runtime API until the environment is torn down; each is handled by lambda::handler.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "ouiscan/lambda/handler.h"
#include "ouiscan/lambda/runtime.h"
#include "ouiscan/ouidb/database.h"

int main() {
  using namespace ouiscan;  // NOLINT(google-build-using-namespace): a short main
  std::signal(SIGPIPE, SIG_IGN);
  const char* api_address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api_address == nullptr) {
    std::fputs("ouiscan-lambda: AWS_LAMBDA_RUNTIME_API is not set (run inside Lambda)\n", stderr);
    return 2;
  }
  lambda::runtime_api api(api_address);
  auto db = ouidb::database::open(ouidb::embedded(), /*verify_checksum=*/false);
  auto settings = lambda::settings_from_environment(s3::system_environment);
  if (const std::string* why = settings ? nullptr : &settings.error().message) {
    api.init_error("ConfigurationError", *why);
    std::fprintf(stderr, "ouiscan-lambda: %s\n", why->c_str());
    return 1;
  }
  if (!db) {
    api.init_error("ConfigurationError", "the embedded OUI database is damaged");
    return 1;
  }
  lambda::handler handler(*std::move(settings), &*db);
  lambda::serve(api, handler, [](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  });
  std::fputs("ouiscan-lambda: the Runtime API stopped answering\n", stderr);
  return 1;
}
