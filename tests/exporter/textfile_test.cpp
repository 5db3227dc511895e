#include "exporter/textfile.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "exporter/exposition.h"
#include "exporter/metrics_collector.h"
#include "sample_metrics.h"

namespace nsbench::exporter {
namespace {

namespace fs = std::filesystem;

class WriteTextfile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "nsbench-textfile-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    collector_.set_benchmark_results(testing::sample_results());
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  fs::path directory_;
  MetricsCollector collector_{[] { return testing::sample_snapshot(); }};
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST_F(WriteTextfile, WritesTheExpositionAndLeavesNoTemporaryFile) {
  const fs::path target = directory_ / "nsbench.prom";

  const auto written = write_textfile(target.string(), collector_);

  ASSERT_TRUE(written.has_value()) << written.error().message();
  EXPECT_EQ(read_file(target), to_text_exposition(collector_));
  EXPECT_EQ(entries(), std::vector<std::string>{"nsbench.prom"});
  // node_exporter usually runs as another user.
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::others_read, fs::perms::others_read);
}

TEST_F(WriteTextfile, ReplacesAnExistingFileWhole) {
  const fs::path target = directory_ / "nsbench.prom";
  std::ofstream(target) << std::string(100'000, '#') << "\n";
  // An open reader keeps seeing the old file: the new one arrives by rename, not by rewriting.
  std::ifstream reader(target);

  ASSERT_TRUE(write_textfile(target.string(), collector_).has_value());

  EXPECT_EQ(read_file(target), to_text_exposition(collector_));
  std::string old_first_line;
  std::getline(reader, old_first_line);
  EXPECT_EQ(old_first_line, std::string(100'000, '#'));
  EXPECT_EQ(entries().size(), 1u);
}

TEST_F(WriteTextfile, MissingDirectoryIsAnErrorNamingThePath) {
  const fs::path target = directory_ / "absent" / "nsbench.prom";

  const auto written = write_textfile(target.string(), collector_);

  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().message().find(target.string()), std::string::npos)
      << written.error().message();
  EXPECT_NE(written.error().message().find("No such file or directory"), std::string::npos);
  EXPECT_TRUE(entries().empty());
}

TEST_F(WriteTextfile, TargetThatIsADirectoryIsAnErrorAndLeavesNothing) {
  const fs::path target = directory_ / "taken.prom";
  fs::create_directory(target);

  const auto written = write_textfile(target.string(), collector_);

  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().message().find(target.string()), std::string::npos);
  EXPECT_EQ(entries(), std::vector<std::string>{"taken.prom"});
}

}  // namespace
}  // namespace nsbench::exporter
