# Every dependency comes from a Debian 12 package; nothing is downloaded at configure time.
find_package(Threads REQUIRED)
find_package(TBB REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)
find_package(simdjson REQUIRED)  # Lambda events
find_package(OpenSSL REQUIRED)  # SHA-256 and HMAC for S3 request signing
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)  # capture filters, the bench baseline
if(OUISCAN_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(OUISCAN_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
