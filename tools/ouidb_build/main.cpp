// ouidb_build: IEEE registry CSVs (a folder with oui.csv, mam.csv, oui36.csv, iab.csv, cid.csv)
// -> an ouiscan OUI database file. Used by the build to make the embedded database.
#include <cstdio>
#include <cstring>
#include <string>

#include "ouiscan/ouidb/builder.h"

int main(int argc, char** argv) {
  using namespace ouiscan::ouidb;  // NOLINT(google-build-using-namespace)
  std::uint32_t date = 0;
  int arg = 1;
  if (argc == 5 && std::strcmp(argv[1], "--date") == 0) {
    date = parse_date(argv[2]);
    arg = 3;
  }
  if (argc - arg != 2 || (arg == 3 && date == 0)) {
    std::fprintf(stderr, "usage: ouidb_build [--date YYYY-MM-DD] CSV_DIR OUTPUT\n");
    return 2;
  }
  auto csvs = read_csv_dir(argv[arg]);
  if (const auto* e = csvs ? nullptr : &csvs.error()) {
    std::fprintf(stderr, "ouidb_build: %s\n", e->message.c_str());
    return 1;
  }
  auto& set = *csvs;
  set.snapshot.fill(date);
  auto built = build(set);
  if (const auto* e = built ? nullptr : &built.error()) {
    std::fprintf(stderr, "ouidb_build: %s line %llu: %s\n", std::string(csv_name(e->reg)).c_str(),
                 static_cast<unsigned long long>(e->line), e->message.c_str());
    return 1;
  }
  const auto& db = *built;
  std::FILE* out = std::fopen(argv[arg + 1], "wb");
  if (out == nullptr || std::fwrite(db.bytes.data(), 1, db.bytes.size(), out) != db.bytes.size() ||
      std::fclose(out) != 0) {
    std::perror(argv[arg + 1]);
    return 3;
  }
  std::printf("ouidb_build: %zu bytes; rows MA-L %u, MA-M %u, MA-S %u, IAB %u, CID %u\n",
              db.bytes.size(), db.rows[0], db.rows[1], db.rows[2], db.rows[3], db.rows[4]);
  return 0;
}
