// The demo's data pack: fortunes-zh parsing and the derived training and
// held-out sets.

#include "fixtures.h"

#include "common/error.h"
#include "common/fs.h"
#include "data/demo_pack.h"
#include "eval/demo_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
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
    ASSERT_TRUE(
        data::parsePoem("题目:《雨霖铃》\n作者:词人（９８７－１０５３）\n\n    其一\n寒蝉凄切，对长亭晚。", true, s));
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
    EXPECT_EQ(s.sayingsUsed, 30);
    EXPECT_EQ(s.longPoemsSkipped, 0);
    // Each poem o.poemRepeats times plus three sentences naming its author; the
    // sayings; every SFT question on a training poem (not the self-introductions).
    EXPECT_EQ(s.pretrainQa, s.sft - 48);
    EXPECT_EQ(s.pretrainDocs, 40 * (o.poemRepeats + 3) + 30 + s.pretrainQa);
    EXPECT_GT(s.trainChance, 0);
    EXPECT_LE(s.trainChance, 1);
    EXPECT_FALSE(s.trainChanceAnswer.empty());

    // Held-out questions never appear in any post-training set.
    std::set<std::string> trained;
    for (const char* f :
         {data::demo_files::sft, data::demo_files::reason, data::demo_files::grpo, data::demo_files::lora})
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
    // Nor in pretraining, which holds the training poems' questions as text.
    std::string pretrainText;
    int64_t questionDocs = 0;
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::pretrain)) {
        const std::string t = r.at("text");
        pretrainText += t + "\n";
        questionDocs += trained.count(t.substr(0, t.find('\n'))) > 0;
    }
    EXPECT_EQ(questionDocs, s.pretrainQa);
    for (const auto& r : qa)
        EXPECT_EQ(pretrainText.find(r.at("question").get<std::string>()), std::string::npos) << r.dump();
    // The author questions among them, with the most frequent poet as chance.
    const auto authors = readJsonl(ws.file("data/") + data::demo_files::heldoutAuthorQa);
    ASSERT_EQ(int64_t(authors.size()), s.heldoutAuthorQa);
    ASSERT_FALSE(authors.empty());
    for (const auto& r : authors) {
        EXPECT_NE(r.at("question").get<std::string>().find("《"), std::string::npos) << r.dump();
        EXPECT_NE(std::find(qa.begin(), qa.end(), r), qa.end()) << r.dump();
    }
    EXPECT_GT(s.heldoutAuthorChance, 0);
    EXPECT_FALSE(s.heldoutAuthorChanceAnswer.empty());
    // The held-out pairs, split by kind of rejected answer.
    int64_t byKind = 0;
    for (const auto& kind : data::dpoPairKinds())
        for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::heldoutDpoKind(kind))) {
            ++byKind;
            const std::string q = userOf(r.at("chosen")), a = r.at("chosen").at(1).at("content"),
                              rej = r.at("rejected").at(1).at("content");
            if (kind == "echo")
                EXPECT_EQ(rej, q);
            else if (kind == "quoted")
                EXPECT_NE(q.find(rej), std::string::npos) << q << " / " << rej;
            else if (kind == "boilerplate")
                EXPECT_EQ(rej.rfind(a + "\n\n", 0), 0u) << rej;
        }
    EXPECT_EQ(byKind, s.heldoutDpo);
    // About one SFT answer in five ends in boilerplate; the held-out answers never do.
    int64_t withBoilerplate = 0;
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::sft))
        withBoilerplate +=
            r.at("conversations").at(1).at("content").get<std::string>().find("\n\n") != std::string::npos;
    EXPECT_GT(withBoilerplate, 0);
    EXPECT_LT(withBoilerplate, s.sft / 2);
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::heldoutSft))
        EXPECT_EQ(r.at("conversations").at(1).at("content").get<std::string>().find("\n\n"), std::string::npos);
    // DPO: same question, different answers; the self-introduction is
    // preferred to a cut-short one (8 times each of 6 phrasings).
    int64_t identityPairs = 0;
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::dpo)) {
        EXPECT_EQ(userOf(r.at("chosen")), userOf(r.at("rejected")));
        const std::string chosen = r.at("chosen").at(1).at("content"), rejected = r.at("rejected").at(1).at("content");
        EXPECT_NE(chosen, rejected);
        if (chosen.rfind("我是MicroMind", 0) == 0) {
            ++identityPairs;
            EXPECT_EQ(chosen.rfind(rejected, 0), 0u) << rejected; // a prefix, cut on a character
            EXPECT_EQ(json(rejected).dump().find("\\u"), std::string::npos) << rejected;
        }
    }
    EXPECT_EQ(identityPairs, 48);
    // Reasoning answers carry both tag pairs around the true answer.
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::reason)) {
        const std::string a = r.at("conversations").at(1).at("content");
        EXPECT_EQ(a.rfind("<think>", 0), 0u) << a;
        EXPECT_NE(a.find("</think><answer>"), std::string::npos) << a;
        EXPECT_EQ(a.substr(a.size() - 9), "</answer>") << a;
    }
    // Song ci (the fixture's poems 3, 7, 11, ...) are the LoRA's domain only: no
    // chat stage asks about them, and the LoRA asks about nothing else.
    auto ciTitle = [](const std::string& q) {
        const size_t a = q.find("《测试诗");
        if (a == std::string::npos)
            return -1;
        return std::stoi(q.substr(a + std::string("《测试诗").size())) % 4 == 3 ? 1 : 0;
    };
    for (const char* f : {data::demo_files::sft, data::demo_files::reason, data::demo_files::grpo})
        for (const auto& r : readJsonl(ws.file("data/") + f))
            EXPECT_NE(ciTitle(userOf(r.at("conversations"))), 1) << f << ": " << r.dump();
    int loraTitles = 0;
    for (const auto& r : readJsonl(ws.file("data/") + data::demo_files::lora)) {
        EXPECT_EQ(r.at("conversations").size(), 2u);
        const int t = ciTitle(userOf(r.at("conversations")));
        EXPECT_NE(t, 0) << r.dump();
        loraTitles += t == 1;
    }
    EXPECT_GT(loraTitles, 0);
    EXPECT_EQ(int64_t(readJsonl(ws.file("data/") + data::demo_files::lora).size()), s.lora);
    // GRPO questions have known answers: as many authors as next lines.
    const auto grpo = readJsonl(ws.file("data/") + data::demo_files::grpo);
    EXPECT_EQ(int64_t(grpo.size()), s.grpo);
    int64_t authorQuestions = 0;
    for (const auto& r : grpo) {
        EXPECT_FALSE(r.at("answer").get<std::string>().empty());
        EXPECT_EQ(trained.count(userOf(r.at("conversations"))), 1u) << r.dump();
        authorQuestions += userOf(r.at("conversations")).find("《") != std::string::npos;
    }
    EXPECT_GT(authorQuestions, 0);
    EXPECT_EQ(2 * authorQuestions, s.grpo);

    // Deterministic: a second build writes the same bytes.
    const std::string before = fs::readFile(ws.file("data/") + data::demo_files::sft);
    data::buildDemoPack(o);
    EXPECT_EQ(fs::readFile(ws.file("data/") + data::demo_files::sft), before);
}

TEST(DemoPack, LongPoemsAreLeftOut) {
    test::TempDir src, ws;
    test::writeFortunesFixture(src.path(), 12);
    data::DemoPackOptions o;
    o.sourceDir = src.path();
    o.outDir = ws.file("data");
    o.maxPoemChars = 20;                              // the fixture's bodies are 4 lines of 12 characters
    EXPECT_THROW(data::buildDemoPack(o), InputError); // none left
    o.maxPoemChars = 0;
    EXPECT_EQ(data::buildDemoPack(o).longPoemsSkipped, 0);
    o.maxPoemChars = 80;
    o.maxSayings = 5;
    const data::DemoPackSummary s = data::buildDemoPack(o);
    EXPECT_EQ(s.poems, 12);
    EXPECT_EQ(s.sayingsUsed, 5);
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

namespace {

json measured(double trainExact, double exact, double loss, double songci, double pref, double think, double reward) {
    return {{"train_exact", {{"accuracy", trainExact}}},
            {"exact", {{"accuracy", exact}}},
            {"loss", {{"loss", loss}}},
            {"songci_loss", {{"loss", songci}}},
            {"preference", {{"pref_accuracy", pref}}},
            {"think", {{"format_rate", think}}},
            {"reward", {{"reward_mean", reward}}}};
}

} // namespace

TEST(DemoReport, FindingsCompareEachStageWithItsParentAndChance) {
    eval::DemoReport r;
    r.baselines.trainExactChance = 0.05;
    r.baselines.trainChanceAnswer = "杜甫";
    r.baselines.heldoutExactChance = 0.02;
    r.models["0"] = measured(0, 0, 7.0, 7.1, 0.41, 0, 0.1);
    r.models["1"] = measured(0.8, 0.1, 5.0, 6.0, 0.6, 0, 0.4);
    r.models["2"] = measured(0.7, 0.1, 5.2, 6.1, 0.75, 0, 0.4);
    r.baselines.heldoutAuthorChance = 0.125;
    r.baselines.heldoutAuthorChanceAnswer = "杜甫";
    r.models["1"]["author_exact"] = {{"accuracy", 0.5}};
    r.models["1"]["preference_kinds"] = {{"boilerplate", {{"pref_accuracy", 0.0}}}, {"echo", {{"pref_accuracy", 0.7}}}};
    r.models["2"]["preference_kinds"] = {{"boilerplate", {{"pref_accuracy", 0.9}}}, {"echo", {{"pref_accuracy", 1.0}}}};
    r.models["3"] = measured(0.5, 0.0, 6.0, 6.5, 0.3, 0.9, 0.8);
    r.models["4"] = measured(0.8, 0.1, 5.05, 5.4, 0.6, 0, 0.4);
    r.models["5"] = measured(0.5, 0.0, 6.0, 6.5, 0.3, 1.0, 1.1);
    for (auto& [mode, name] : std::map<std::string, std::string>{
             {"0", "pretrain"}, {"1", "full_sft"}, {"2", "rlhf (dpo)"}, {"3", "reason"}, {"4", "lora"}, {"5", "grpo"}})
        r.models[mode]["name"] = name;
    const auto f = eval::demoFindings(r);
    ASSERT_EQ(f.size(), 6u);
    EXPECT_NE(f[1].find("80.0 % of the questions it was trained on"), std::string::npos) << f[1];
    EXPECT_NE(f[1].find("chance 5.0 %: always answering \"杜甫\""), std::string::npos) << f[1];
    EXPECT_NE(f[1].find("recalls part of"), std::string::npos) << f[1]; // 10 % >= 2 x 2 % + 2 points
    EXPECT_NE(f[1].find("names the poet of 50.0 % of the held-out poems (chance 12.5 %: always \"杜甫\")"),
              std::string::npos)
        << f[1];
    EXPECT_NE(f[2].find("from 60.0 % to 75.0 % (+15.0 points"), std::string::npos) << f[2];
    EXPECT_NE(f[2].find("boilerplate 0.0 % -> 90.0 %, echo 70.0 % -> 100.0 %"), std::string::npos) << f[2];
    EXPECT_NE(f[2].find("5.000 -> 5.200 (+4.0 %)"), std::string::npos) << f[2];
    EXPECT_NE(f[4].find("6.000 -> 5.400 (-10.0 %)"), std::string::npos) << f[4];
    EXPECT_NE(f[4].find("5.000 -> 5.050 (+1.0 %)"), std::string::npos) << f[4];
    EXPECT_NE(f[5].find("0.800 -> 1.100"), std::string::npos) << f[5];
    EXPECT_NE(f[5].find("exact answers n/a -> n/a"), std::string::npos) << f[5]; // not measured here
    r.models["3"]["reward"]["accuracy"] = 0.03;
    r.models["5"]["reward"]["accuracy"] = 0.08;
    EXPECT_NE(eval::demoFindings(r)[5].find("exact answers 3.0 % -> 8.0 %"), std::string::npos);

    // Held-out recall at chance is said so.
    r.models["1"]["exact"]["accuracy"] = 0.03;
    EXPECT_NE(eval::demoFindings(r)[1].find("are not recalled"), std::string::npos);

    const auto rows = eval::demoRows(r);
    ASSERT_EQ(rows.size(), 7u);
    EXPECT_EQ(rows.back().name, "chance");
    EXPECT_EQ(rows.back().cells.at(0), "5.0 %");
    EXPECT_EQ(rows.back().cells.at(2), "12.5 %");
    EXPECT_EQ(rows.back().cells.at(5), "50.0 %");
    EXPECT_EQ(rows[1].cells.at(2), "50.0 %");
    EXPECT_EQ(rows[0].cells.at(2), "n/a"); // model 0 has no author measurement here
    EXPECT_EQ(rows[1].cells.size(), eval::demoColumns().size());
    EXPECT_EQ(rows[1].cells.at(0), "80.0 %");

    // Kinds of a shape the report does not know are left out, not thrown on.
    eval::DemoReport odd = r;
    odd.models["2"]["preference_kinds"] = 3;
    EXPECT_EQ(eval::demoFindings(odd)[2].find("by kind"), std::string::npos);

    // A failed measurement is n/a, not a number.
    r.models["2"].erase("preference");
    EXPECT_NE(eval::demoFindings(r)[2].find("to n/a"), std::string::npos);

    // Round trip through reports/demo.json.
    const eval::DemoReport back = eval::demoReportFromJson(eval::toJson(r), "demo.json");
    EXPECT_EQ(back.models, r.models);
    EXPECT_EQ(back.baselines.trainChanceAnswer, "杜甫");
    EXPECT_EQ(back.baselines.heldoutAuthorChance, 0.125);
    EXPECT_EQ(eval::demoMarkdown(back), eval::demoMarkdown(r));
    EXPECT_NE(eval::demoMarkdown(r).find("| – | chance | 5.0 % | 2.0 % | 12.5 % |"), std::string::npos)
        << eval::demoMarkdown(r);
}

TEST(DemoReport, ANonReportNamesTheFile) {
    EXPECT_THROW(eval::demoReportFromJson(json::array(), "x/demo.json"), InputError);
    try {
        eval::demoReportFromJson({{"models", json::object()}, {"baselines", {{"train_exact_chance", "high"}}}},
                                 "x/demo.json");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("x/demo.json"), std::string::npos) << e.what();
    }
}
