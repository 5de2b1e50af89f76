// --eval_split: the held-out share of a training file (data/eval_split.h).

#include "common/error.h"
#include "common/fs.h"
#include "data/eval_split.h"
#include "fixtures.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

using namespace mm;

namespace {

std::vector<std::string> lines(const std::string& path) {
    std::vector<std::string> v;
    std::istringstream in(fs::readFile(path));
    for (std::string l; std::getline(in, l);)
        v.push_back(l);
    return v;
}

std::vector<std::string> records(int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i)
        v.push_back("{\"text\": \"record " + std::to_string(i) + "\"}");
    return v;
}

} // namespace

TEST(EvalSplit, HoldsOutAnEvenlySpreadShareAndKeepsEveryRecordOnce) {
    test::TempDir dir;
    std::vector<std::string> in = records(100);
    in.insert(in.begin() + 50, "   "); // blank lines are not records
    test::writeLines(dir.file("data.jsonl"), in);
    const data::SplitFiles sp = data::splitForValidation(dir.file("data.jsonl"), 0.1, dir.file("cache"));
    EXPECT_FALSE(sp.reused);
    EXPECT_EQ(sp.evalRecords, 10);
    EXPECT_EQ(sp.trainRecords, 90);
    const auto ev = lines(sp.eval), tr = lines(sp.train);
    ASSERT_EQ(ev.size(), 10u);
    ASSERT_EQ(tr.size(), 90u);
    // Every tenth record (9, 19, ... 99), not the last ten.
    EXPECT_EQ(ev.front(), "{\"text\": \"record 9\"}");
    EXPECT_EQ(ev[5], "{\"text\": \"record 59\"}");
    EXPECT_EQ(ev.back(), "{\"text\": \"record 99\"}");
    EXPECT_EQ(tr.front(), "{\"text\": \"record 0\"}");
    // No temp files left behind.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.file("cache"))) {
        ++files;
        EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
    }
    EXPECT_EQ(files, 2);

    // A second run reuses the split; another share or a changed file makes a new one.
    const data::SplitFiles again = data::splitForValidation(dir.file("data.jsonl"), 0.1, dir.file("cache"));
    EXPECT_TRUE(again.reused);
    EXPECT_EQ(again.eval, sp.eval);
    EXPECT_EQ(again.evalRecords, 10);
    const data::SplitFiles fifth = data::splitForValidation(dir.file("data.jsonl"), 0.2, dir.file("cache"));
    EXPECT_NE(fifth.eval, sp.eval);
    EXPECT_EQ(fifth.evalRecords, 20);
}

TEST(EvalSplit, RefusesSharesThatLeaveASplitEmptyOrAreOutOfRange) {
    test::TempDir dir;
    test::writeLines(dir.file("small.jsonl"), records(5));
    try {
        data::splitForValidation(dir.file("small.jsonl"), 0.1, dir.file("cache"));
        FAIL() << "5 records at 0.1 hold out nothing";
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("small.jsonl"), std::string::npos) << m;
        EXPECT_NE(m.find("5 records"), std::string::npos) << m;
        EXPECT_NE(m.find("raise --eval_split"), std::string::npos) << m;
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("cache")) && !std::filesystem::is_empty(dir.file("cache")));
    EXPECT_THROW(data::splitForValidation(dir.file("small.jsonl"), 0.6, dir.file("cache")), InputError);
    EXPECT_THROW(data::splitForValidation(dir.file("missing.jsonl"), 0.1, dir.file("cache")), InputError);
    const data::SplitFiles sp = data::splitForValidation(dir.file("small.jsonl"), 0.2, dir.file("cache"));
    EXPECT_EQ(sp.evalRecords, 1);
    EXPECT_EQ(lines(dir.file("small.jsonl")).size(), 5u); // the source is untouched
}
