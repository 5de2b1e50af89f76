// The demo's data pack: fortunes-zh parsing and the derived training and
// held-out sets.

#include "fixtures.h"

#include "common/error.h"
#include "common/fs.h"
#include "data/demo_pack.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

using namespace mm;
using nlohmann::json;

namespace {

std::vector<json> readJsonl(const std::string& path) {
    std::vector<json> v;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            v.push_back(json::parse(line));
    return v;
}

std::string userOf(const json& conv) { return conv.at(0).at("content").get<std::string>(); }

} // namespace

TEST(DemoPack, StripsAnsiAndSplitsRecords) {
    EXPECT_EQ(data::stripAnsi("\x1b[32m《静》\x1b[m x\x1b[1;33my"), "《静》 xy");
    const auto recs = data::splitFortunes("a\nb\n%\n\n%\n  c  \n%\n");
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0], "a\nb");
    EXPECT_EQ(recs[1], "c");
}

TEST(DemoPack, ParsesTangAndSongHeaders) {
    data::Poem p;
    ASSERT_TRUE(data::parsePoem("《春望》\n作者：某人\n国破山河在，城春草木深。\n感时花溅泪，恨别鸟惊心。", false, p));
    EXPECT_EQ(p.title, "春望");
    EXPECT_EQ(p.author, "某人");
    EXPECT_EQ(p.phrases, (std::vector<std::string>{"国破山河在", "城春草木深", "感时花溅泪", "恨别鸟惊心"}));
    data::Poem s;
    ASSERT_TRUE(data::parsePoem("题目:《雨霖铃》\n作者:词人（９８７－１０５３）\n\n    其一\n寒蝉凄切，对长亭晚。", true, s));
    EXPECT_EQ(s.title, "雨霖铃");
    EXPECT_EQ(s.author, "词人");
    // A section label without punctuation is body text but not a phrase.
    EXPECT_EQ(s.phrases, (std::vector<std::string>{"寒蝉凄切", "对长亭晚"}));
    EXPECT_TRUE(s.ci);
    data::Poem bad;
    EXPECT_FALSE(data::parsePoem("just a saying\nwith two lines\nand three", false, bad));
}

TEST(DemoPack, BuildsEverySetWithHeldOutPoemsKeptOut) {
    test::TempDir src, ws;
    test::writeFortunesFixture(src.path(), 40);
    data::DemoPackOptions o;
    o.sourceDir = src.path();
    o.outDir = ws.file("data");
    o.heldOutShare = 0.25;
    const data::DemoPackSummary s = data::buildDemoPack(o);
    EXPECT_EQ(s.poems, 40);
    EXPECT_EQ(s.ci, 10);
    EXPECT_EQ(s.sayings, 30);
    EXPECT_GT(s.heldOutPoems, 0);
    EXPECT_LT(s.heldOutPoems, 40);
    EXPECT_EQ(s.pretrainDocs, 40 * o.poemRepeats + 30);

    // Held-out questions never appear in any post-training set.
    std::set<std::string> trained;
    for (const char* f : {data::demo_files::sft, data::demo_files::reason, data::demo_files::grpo, data::demo_files::lora})
        for (const auto& r : readJsonl(ws.file("data/") + f))
            trained.insert(userOf(r.at("conversations")));
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::dpo))
        trained.insert(userOf(r.at("chosen")));
    const auto qa = readJsonl(ws.file("data/") + data::demo_files::heldoutQa);
    ASSERT_EQ(int64_t(qa.size()), s.heldoutQa);
    ASSERT_FALSE(qa.empty());
    for (const auto& r : qa) {
        EXPECT_FALSE(r.at("answer").get<std::string>().empty());
        EXPECT_EQ(trained.count(r.at("question").get<std::string>()), 0u) << r.dump();
    }
    // DPO: same question, different answers.
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::dpo)) {
        EXPECT_EQ(userOf(r.at("chosen")), userOf(r.at("rejected")));
        EXPECT_NE(r.at("chosen").at(1).at("content"), r.at("rejected").at(1).at("content"));
    }
    // Reasoning answers carry both tag pairs around the true answer.
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::reason)) {
        const std::string a = r.at("conversations").at(1).at("content");
        EXPECT_EQ(a.rfind("<think>", 0), 0u) << a;
        EXPECT_NE(a.find("</think><answer>"), std::string::npos) << a;
        EXPECT_EQ(a.substr(a.size() - 9), "</answer>") << a;
    }
    // The LoRA domain is Song ci only: its questions mention only ci titles.
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::lora))
        EXPECT_EQ(r.at("conversations").size(), 2u);
    EXPECT_EQ(int64_t(readJsonl(ws.file("data/") + data::demo_files::lora).size()), s.lora);
    // GRPO questions have known answers.
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::grpo))
        EXPECT_FALSE(r.at("answer").get<std::string>().empty());

    // Deterministic: a second build writes the same bytes.
    const std::string before = fs::readFile(ws.file("data/") + data::demo_files::sft);
    data::buildDemoPack(o);
    EXPECT_EQ(fs::readFile(ws.file("data/") + data::demo_files::sft), before);
}

TEST(DemoPack, MissingCorpusSaysHowToInstallIt) {
    test::TempDir ws;
    data::DemoPackOptions o;
    o.sourceDir = ws.file("nowhere");
    o.outDir = ws.file("data");
    try {
        data::buildDemoPack(o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("nowhere/tang300"), std::string::npos) << msg;
        EXPECT_NE(msg.find("apt-get install fortunes-zh"), std::string::npos) << msg;
    }
}
