// The IEEE CSVs for `ouiscan db update`: fetched over HTTPS with the conditional-GET cache
// (download.cpp), for db_command.cpp.
#pragma once

#include "ouiscan/app/run.h"
#include "ouiscan/core/error.h"
#include "ouiscan/ouidb/builder.h"

namespace ouiscan::app {

// The five CSVs, or reuses of cached copies the server says are current.
[[nodiscard]] core::result<ouidb::csv_set, core::failure> download_csvs(const db_options& options);
// Records the fresh downloads in the cache, once the new database is in place.
void remember_downloads(const ouidb::csv_set& csvs);

}  // namespace ouiscan::app
