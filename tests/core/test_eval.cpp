// Evaluation: generation engine, judge parsing and client, score tables, the
// answers/scores history and the OpenAI-compatible server (in process, over
// real loopback HTTP).

#include "core/fixtures.h"

#include "common/error.h"
#include "eval/batch_generator.h"
#include "eval/evaluator.h"
#include "eval/generator.h"
#include "eval/judge.h"
#include "eval/metrics.h"
#include "eval/model_modes.h"
#include "model/lora.h"
#include "eval/scores.h"
#include "eval/server.h"
#include "eval/text_stream.h"
#include "store/history.h"
#include "text/tokenizer.h"
#include "weights/lora_adapter.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include <sqlite3.h>

using namespace mm;
using nlohmann::json;

namespace {

model::ModelConfig tinyConfig(int vocab = 97, int positions = 128) {
    model::ModelConfig c;
    c.vocabSize = vocab;
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = positions;
    return c;
}

model::MiniMind tinyModel(uint64_t seed, int vocab = 97, int positions = 128) {
    model::MiniMind m(tinyConfig(vocab, positions));
    m->resetParameters(seed);
    m->eval();
    return m;
}

std::vector<int> greedyByFullForward(model::MiniMind& m, std::vector<int> seq, int n) {
    torch::NoGradGuard ng;
    std::vector<int> out;
    for (int i = 0; i < n; ++i) {
        std::vector<int64_t> ids(seq.begin(), seq.end());
        auto logits = m->forward(torch::tensor(ids, torch::kLong).view({1, -1})).logits;
        const int next = int(logits[0][-1].argmax().item<int64_t>());
        out.push_back(next);
        seq.push_back(next);
    }
    return out;
}

} // namespace

// ---------------------------------------------------------------- generation

TEST(Generation, GreedyIsDeterministicAndEqualsArgmaxOfFullForward) {
    auto m = tinyModel(7);
    eval::Generator gen(m);
    eval::SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = 12;
    o.stopIds = {};
    const std::vector<int> prompt{1, 10, 20, 30, 40};
    auto a = gen.generate(prompt, o);
    auto b = gen.generate(prompt, o);
    ASSERT_EQ(a.tokens.size(), 12u);
    EXPECT_EQ(a.tokens, b.tokens);
    EXPECT_EQ(a.tokens, greedyByFullForward(m, prompt, 12));
}

TEST(Generation, SeededSamplingIsReproducible) {
    auto m = tinyModel(8);
    eval::Generator gen(m);
    eval::SamplingOptions o;
    o.temperature = 1.0;
    o.topP = 1.0;
    o.topK = 0;
    o.maxNewTokens = 24;
    o.stopIds = {};
    o.seed = 123;
    const std::vector<int> prompt{1, 5, 6};
    auto a = gen.generate(prompt, o);
    auto b = gen.generate(prompt, o);
    EXPECT_EQ(a.tokens, b.tokens);
    o.seed = 124;
    auto c = gen.generate(prompt, o);
    EXPECT_NE(a.tokens, c.tokens); // 24 draws from a near-uniform 97-way distribution
}

TEST(Generation, RepetitionPenaltyLowersRepeats) {
    // Distribution level: a token already seen loses probability.
    torch::Tensor logits = torch::tensor({2.0f, 1.9f, 0.5f, -1.0f});
    eval::SamplingOptions o;
    o.temperature = 1.0;
    o.topP = 1.0;
    o.topK = 0;
    const auto plain = eval::samplingDistribution(logits, {0}, o);
    o.repetitionPenalty = 1.5;
    const auto penalised = eval::samplingDistribution(logits, {0}, o);
    EXPECT_LT(penalised[0].item<float>(), plain[0].item<float>());
    EXPECT_GT(penalised[1].item<float>(), plain[1].item<float>());
    // Greedy: 2.0 / 1.5 < 1.9, so the seen token stops being the argmax.
    o.greedy = true;
    EXPECT_EQ(eval::samplingDistribution(logits, {0}, o).argmax().item<int64_t>(), 1);

    // Sequence level: a penalised greedy decode repeats tokens less.
    auto m = tinyModel(9);
    eval::Generator gen(m);
    eval::SamplingOptions g;
    g.greedy = true;
    g.maxNewTokens = 40;
    g.stopIds = {};
    auto repeats = [](const std::vector<int>& t) { return t.size() - std::set<int>(t.begin(), t.end()).size(); };
    const auto base = gen.generate({1, 2, 3}, g).tokens;
    g.repetitionPenalty = 3.0;
    const auto pen = gen.generate({1, 2, 3}, g).tokens;
    EXPECT_LT(repeats(pen), repeats(base)) << "base repeats " << repeats(base);
}

TEST(Generation, TopPKeepsTheSmallestPrefixReachingP) {
    // Probabilities 0.5, 0.3, 0.15, 0.05 (logits are their logs).
    torch::Tensor logits = torch::log(torch::tensor({0.15f, 0.5f, 0.05f, 0.3f}));
    eval::SamplingOptions o;
    o.temperature = 1.0;
    o.topK = 0;
    o.topP = 0.75; // 0.5 < 0.75, 0.5 + 0.3 >= 0.75: keep {0.5, 0.3}
    auto p = eval::samplingDistribution(logits, {}, o);
    EXPECT_NEAR(p[1].item<float>(), 0.625f, 1e-5);
    EXPECT_NEAR(p[3].item<float>(), 0.375f, 1e-5);
    EXPECT_EQ(p[0].item<float>(), 0.0f);
    EXPECT_EQ(p[2].item<float>(), 0.0f);
    o.topP = 0.9; // needs the 0.15 too
    p = eval::samplingDistribution(logits, {}, o);
    EXPECT_GT(p[0].item<float>(), 0.0f);
    EXPECT_EQ(p[2].item<float>(), 0.0f);
    EXPECT_NEAR(p.sum().item<float>(), 1.0f, 1e-5);
    o.topP = 0.4; // the top token alone
    p = eval::samplingDistribution(logits, {}, o);
    EXPECT_NEAR(p[1].item<float>(), 1.0f, 1e-6);
}

TEST(Generation, CancelStopsAtOnce) {
    auto m = tinyModel(10);
    eval::Generator gen(m);
    eval::SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = 50;
    o.stopIds = {};
    int seen = 0;
    auto r = gen.generate({1, 2}, o, [&](int) { return ++seen < 3; });
    EXPECT_TRUE(r.cancelled);
    EXPECT_EQ(r.tokens.size(), 3u);
}

TEST(BatchGeneration, LeftPaddedPrefillGivesEachPromptsOwnLogits) {
    auto m = tinyModel(11);
    c10::InferenceMode guard;
    const std::vector<std::vector<int64_t>> prompts{{1, 4, 9, 16, 25, 36, 49}, {1, 2}, {1, 3, 5, 7}};
    const int64_t L = 7, B = 3;
    model::KvCache cache = m->makeCache(B, 16);
    torch::Tensor ids = torch::zeros({B, L}, torch::kLong);
    for (int64_t r = 0; r < B; ++r) {
        const int64_t pad = L - int64_t(prompts[size_t(r)].size());
        cache.rowStart.push_back(pad);
        ids[r].narrow(0, pad, L - pad).copy_(torch::tensor(prompts[size_t(r)], torch::kLong));
    }
    torch::Tensor batched = m->forward(ids, &cache, true).logits; // (B,1,V)
    // One more decode step through the padded cache (the fused kernel's rowStart path).
    torch::Tensor next = torch::tensor({5, 6, 7}, torch::kLong).view({B, 1});
    torch::Tensor batchedStep = m->forward(next, &cache, true).logits;
    for (int64_t r = 0; r < B; ++r) {
        const auto& p = prompts[size_t(r)];
        model::KvCache alone = m->makeCache(1, 16);
        torch::Tensor one = m->forward(torch::tensor(p, torch::kLong).view({1, -1}), &alone, true).logits;
        EXPECT_TRUE(torch::allclose(batched[r], one[0], 1e-4, 1e-5)) << "row " << r;
        torch::Tensor oneStep = m->forward(next[r].view({1, 1}), &alone, true).logits;
        EXPECT_TRUE(torch::allclose(batchedStep[r], oneStep[0], 1e-4, 1e-5)) << "row " << r;
        // And the full forward without any cache agrees too.
        std::vector<int64_t> seq = p;
        seq.push_back(next[r].item<int64_t>());
        torch::Tensor full = m->forward(torch::tensor(seq, torch::kLong).view({1, -1})).logits;
        EXPECT_TRUE(torch::allclose(batchedStep[r][0], full[0][-1], 1e-4, 1e-5)) << "row " << r;
    }
}

TEST(BatchGeneration, EachRowEqualsItsBatchOneAnswerGreedyAndSampled) {
    auto m = tinyModel(12);
    eval::Generator gen(m);
    const std::vector<std::vector<int>> prompts{
        {1, 10, 20, 30, 40, 50, 60, 70}, {1, 2}, {1, 3, 5}, {1, 80, 81, 82, 83}};
    for (bool greedy : {true, false}) {
        std::vector<eval::BatchRequest> reqs;
        for (size_t i = 0; i < prompts.size(); ++i) {
            eval::SamplingOptions o;
            o.greedy = greedy;
            o.temperature = 1.0;
            o.topP = 0.9;
            o.topK = 0;
            o.repetitionPenalty = 1.2;
            o.stopIds = {};
            o.seed = 100 + i;
            o.maxNewTokens = 6 + 5 * int(i); // rows leave the batch at different steps
            reqs.push_back({prompts[i], o});
        }
        std::vector<size_t> doneOrder;
        auto results = eval::generateBatch(m, reqs, [&](size_t i, const eval::GenerationResult& r) {
            EXPECT_EQ(r.tokens.size(), size_t(reqs[i].options.maxNewTokens));
            doneOrder.push_back(i);
            return true;
        });
        ASSERT_EQ(results.size(), prompts.size());
        EXPECT_EQ(doneOrder, (std::vector<size_t>{0, 1, 2, 3}));
        for (size_t i = 0; i < prompts.size(); ++i) {
            auto alone = gen.generate(prompts[i], reqs[i].options);
            EXPECT_EQ(results[i].tokens, alone.tokens) << (greedy ? "greedy" : "sampled") << " row " << i;
            EXPECT_FALSE(results[i].cancelled);
        }
    }
}

TEST(BatchGeneration, StopIdsEndRowsAndStopRequestCancelsTheRest) {
    auto m = tinyModel(13);
    eval::Generator gen(m);
    eval::SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = 20;
    o.stopIds = {};
    // Use each prompt's 3rd greedy token as the stop id: the row must end there.
    const std::vector<int> p{1, 7, 8};
    auto free = gen.generate(p, o);
    ASSERT_EQ(free.tokens.size(), 20u);
    o.stopIds = {free.tokens[2]};
    auto results = eval::generateBatch(m, {{p, o}, {{1, 9, 9, 9, 9}, o}});
    auto alone = gen.generate(p, o);
    EXPECT_TRUE(results[0].hitStop);
    EXPECT_EQ(results[0].tokens, alone.tokens);
    EXPECT_EQ(results[1].tokens, gen.generate({1, 9, 9, 9, 9}, o).tokens);

    o.stopIds = {};
    int steps = 0;
    auto cut = eval::generateBatch(m, {{p, o}, {{1, 2}, o}}, {}, [&] { return ++steps > 4; });
    for (const auto& r : cut) {
        EXPECT_TRUE(r.cancelled);
        EXPECT_EQ(r.tokens.size(), 4u);
    }
    EXPECT_THROW(eval::generateBatch(m, {{p, o}, {{}, o}}), InputError);
}

// ------------------------------------------------------------------ text

TEST(EvalText, StreamDecoderNeverSplitsACharacter) {
    auto tok = text::Tokenizer::load(test::fixtureTokenizer());
    const std::string s = "鲁迅𝄞🙂 cafe\xC3\xA9 <think>x</think>";
    const auto ids = tok.encode(s);
    eval::StreamDecoder dec(tok);
    std::string joined;
    for (int id : ids) {
        const std::string piece = dec.push(id);
        EXPECT_EQ(piece.find("\xEF\xBF\xBD"), std::string::npos) << "piece with U+FFFD after id " << id;
        joined += piece;
    }
    joined += dec.flush();
    EXPECT_EQ(joined, s);
}

TEST(EvalText, PromptIdsRawAndChat) {
    auto tok = text::Tokenizer::load(test::fixtureTokenizer());
    auto raw = eval::promptIds(tok, "世界上最高的山峰是", true);
    EXPECT_EQ(raw.front(), text::special::kImStart);
    EXPECT_EQ(tok.decode(std::vector<int>(raw.begin() + 1, raw.end())), "世界上最高的山峰是");
    auto chat = eval::promptIds(tok, "你好", false, "sys");
    EXPECT_EQ(tok.decode(chat), text::renderChat({{"system", "sys"}, {"user", "你好"}}, true));
}

TEST(EvalText, SplitsThinkAndAnswer) {
    auto p = eval::splitReasoning("<think>\n想一想\n</think>\n<answer>\nC最高\n</answer>");
    EXPECT_TRUE(p.hasThink);
    EXPECT_EQ(p.reasoning, "想一想");
    EXPECT_EQ(p.answer, "C最高");
    p = eval::splitReasoning("<think>没想完");
    EXPECT_EQ(p.reasoning, "没想完");
    EXPECT_EQ(p.answer, "");
    p = eval::splitReasoning("plain");
    EXPECT_FALSE(p.hasThink);
    EXPECT_EQ(p.answer, "plain");
}

// ---------------------------------------------------------------- models

TEST(EvalModels, ResolvesModeCheckpointsAndAppliesLoraAdapters) {
    test::TempDir dir;
    model::MiniMind base = tinyModel(12);
    weights::saveWeights(dir.file("full_sft_32.pth"), base, {{"stage", "full_sft"}}, torch::kFloat32);

    auto r1 = eval::resolveModel(dir.path(), 1, "", "");
    EXPECT_EQ(r1.suffix, "32");
    EXPECT_NE(r1.note.find("only"), std::string::npos);
    EXPECT_THROW(eval::resolveModel(dir.path(), 0, "", ""), InputError);     // no pretrain_*.pth
    EXPECT_THROW(eval::resolveModel(dir.path(), 1, "512", ""), InputError);  // wrong size
    EXPECT_THROW(eval::resolveModel(dir.path(), 4, "", ""), InputError);     // needs --lora_name
    EXPECT_THROW(eval::resolveModel(dir.path(), 4, "", "../x"), InputError); // not a file name
    EXPECT_THROW(eval::resolveModel(dir.path(), 1, "", "lora_medical"), InputError);
    EXPECT_THROW(eval::modeInfo(6), InputError);

    // An adapter with non-zero B changes the function; eval folds it in.
    model::MiniMind tuned = weights::loadModel(dir.file("full_sft_32.pth"));
    model::LoraOptions lo;
    lo.rank = 4;
    lo.alpha = 4;
    model::attachLora(tuned, lo, 3);
    {
        torch::NoGradGuard ng;
        for (auto& p : model::loraParameters(tuned))
            p.normal_(0, 0.05);
    }
    weights::saveLora(dir.file("lora/lora_medical_32.pth"), tuned, lo, {});
    auto r4 = eval::resolveModel(dir.path(), 4, "", "lora_medical");
    EXPECT_EQ(r4.label(), "full_sft_32+lora_medical_32");
    model::MiniMind merged = eval::loadResolvedModel(r4, 97, torch::kCPU);
    torch::NoGradGuard ng;
    tuned->eval();
    auto ids = torch::tensor({1, 5, 9, 13}, torch::kLong).view({1, -1});
    auto want = tuned->forward(ids).logits;
    auto got = merged->forward(ids).logits;
    EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-4));
    EXPECT_FALSE(torch::allclose(got, base->forward(ids).logits, 1e-4, 1e-4));
}

// --------------------------------------------------------------- metrics

TEST(Metrics, UniformModelHasPerplexityEqualToTheVocabulary) {
    auto tok = text::Tokenizer::load(test::fixtureTokenizer());
    model::MiniMind m = tinyModel(1, tok.vocabSize(), 64);
    {
        torch::NoGradGuard ng;
        for (auto& p : m->parameters())
            p.zero_(); // zero hidden states -> zero logits -> uniform predictions
    }
    const std::vector<std::string> texts{"床前明月光，疑是地上霜。",
                                         std::string(300, 'a') + " long enough for two windows"};
    const auto r = eval::perplexity(m, tok, texts, 64);
    EXPECT_EQ(r.documents, 2);
    EXPECT_EQ(r.bytes, int64_t(texts[0].size() + texts[1].size()));
    int64_t expectTokens = 0;
    for (const auto& t : texts)
        expectTokens += int64_t(tok.encode(t).size()) + 1; // + <|im_end|>, minus nothing: <|im_start|> is context
    EXPECT_EQ(r.tokens, expectTokens);
    EXPECT_NEAR(r.perplexity(), double(tok.vocabSize()), 1e-2);
    EXPECT_NEAR(r.bitsPerByte(), double(r.tokens) * std::log2(double(tok.vocabSize())) / double(r.bytes), 1e-4);
}

TEST(Metrics, ReadsCEvalCsvAndScoresChoicesAgainstChance) {
    test::TempDir dir;
    test::writeLines(dir.file("q.csv"),
                     {"id,question,A,B,C,D,answer,explanation",
                      "0,王利发是老舍戏剧作品____中的主人公。,《茶馆》,《龙须沟》,《方珍珠》,《女店员》,A,x",
                      "1,\"含逗号, 和\"\"引号\"\"\n跨行的问题\",1,2,3,4,D,\"多行\n解释\""});
    auto qs = eval::readChoiceCsv(dir.file("q.csv"));
    ASSERT_EQ(qs.size(), 2u);
    EXPECT_EQ(qs[1].question, "含逗号, 和\"引号\"\n跨行的问题");
    EXPECT_EQ(qs[1].options.size(), 4u);
    EXPECT_EQ(qs[1].answer, 3);
    test::writeLines(dir.file("bad.csv"), {"id,question,A,B,answer", "0,q,a,b,Z"});
    EXPECT_THROW(eval::readChoiceCsv(dir.file("bad.csv")), InputError);
    auto tok = text::Tokenizer::load(test::fixtureTokenizer());
    model::MiniMind m = tinyModel(2, tok.vocabSize(), 512);
    auto r = eval::multipleChoice(m, tok, qs, true);
    EXPECT_EQ(r.questions, 2);
    EXPECT_GE(r.correct, 0);
    EXPECT_LE(r.correct, 2);
    EXPECT_DOUBLE_EQ(r.chance, 0.25);
}

TEST(Metrics, ExactMatchComparesFinalNumbersOrText) {
    EXPECT_EQ(eval::referenceAnswer("Janet sells 9 eggs.\n#### 18"), "18");
    EXPECT_TRUE(eval::exactMatch("所以她每天赚 18 美元。", "18"));
    EXPECT_TRUE(eval::exactMatch("The answer is 1,000.0", "1000"));
    EXPECT_FALSE(eval::exactMatch("18 eggs, so 36 dollars", "18"));
    EXPECT_TRUE(eval::exactMatch("<think>A比C矮</think><answer> C </answer>", "C"));
    EXPECT_FALSE(eval::exactMatch("B", "C"));
}

// ----------------------------------------------------------------- judge

TEST(Judge, ParsesAStrictJsonReply) {
    auto r = eval::parseJudgeReply(R"({"language": 7, "knowledge": 5.5, "efficiency": 8, "comment": "通顺"})");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[0], 7);
    EXPECT_EQ(*r.scores.values[1], 5.5);
    EXPECT_EQ(*r.scores.values[2], 8);
    EXPECT_EQ(r.scores.comment, "通顺");
}

TEST(Judge, ToleratesFencesThinkChineseKeysTrailingCommasAndStrings) {
    auto r = eval::parseJudgeReply(
        "<think>{\"language\": 1}</think>好的，评分如下：\n```json\n{\"语言理解与生成\": \"6/10\", "
        "\"知识与推理能力\": 4, \"效率与资源\": \"7分\",}\n```");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[0], 6);
    EXPECT_EQ(*r.scores.values[1], 4);
    EXPECT_EQ(*r.scores.values[2], 7);
    r = eval::parseJudgeReply(R"({"scores": {"language": 3, "knowledge": 2, "efficiency": 9}, "total": 14})");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[2], 9);
}

TEST(Judge, FallsBackToKeyValueTextForMalformedReplies) {
    auto r = eval::parseJudgeReply("语言理解与生成（0-10）：6\n知识与推理能力：3.5\n效率与资源 (0-10): 8\n总分：17.5");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[0], 6);
    EXPECT_EQ(*r.scores.values[1], 3.5);
    EXPECT_EQ(*r.scores.values[2], 8);
    r = eval::parseJudgeReply("{language: 5, knowledge: 4, efficiency: 6}"); // unquoted keys: not JSON
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[1], 4);
}

TEST(Judge, ReportsTruncatedRefusedAndOutOfRangeReplies) {
    auto r = eval::parseJudgeReply(R"({"language": 7, "knowledge": 6, "effi)");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("efficiency"), std::string::npos) << r.error;
    EXPECT_EQ(*r.scores.values[0], 7);
    r = eval::parseJudgeReply("I'm sorry, but I can't help with grading these answers.");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("no scores"), std::string::npos) << r.error;
    r = eval::parseJudgeReply(R"({"language": 70, "knowledge": 6, "efficiency": 5})");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("outside 0-10"), std::string::npos) << r.error;
    EXPECT_FALSE(eval::parseJudgeReply("").ok);
}

// Replies found by tests/fuzz/fuzz_judge_reply.cpp. Each used to throw, crash,
// pass a NaN score or take seconds to minutes (and gigabytes) to parse.
TEST(Judge, HostileRepliesNeitherThrowNorCrashNorTakeLong) {
    const auto start = std::chrono::steady_clock::now();
    // 400 nines: std::stod threw std::out_of_range out of the parser.
    auto r =
        eval::parseJudgeReply("{\"language\": \"" + std::string(400, '9') + "\", \"knowledge\": 5, \"efficiency\": 5}");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("score for language is inf, outside 0-10"), std::string::npos) << r.error;
    // strtod read "-nan": a NaN passed the 0-10 check and the reply was ok.
    r = eval::parseJudgeReply("language: -nan knowledge: 5 efficiency: 5");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("lacks language"), std::string::npos) << r.error;
    r = eval::parseJudgeReply("language: -7 knowledge: 5 efficiency: 5");
    EXPECT_NE(r.error.find("score for language is -7, outside 0-10"), std::string::npos) << r.error;
    // std::regex recursed once per character: a stack overflow on a long run
    // of digits in a score string, and of spaces before a trailing comma's brace.
    r = eval::parseJudgeReply("{\"language\": \"" + std::string(200000, '1') + "\"}");
    EXPECT_FALSE(r.ok);
    r = eval::parseJudgeReply("{\"language\": 7, \"knowledge\": 6, \"efficiency\": 5," + std::string(200000, ' ') +
                              "}");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[2], 5);
    // Unclosed and nested braces: every '{' was scanned to the end of the reply
    // and every balanced substring copied (quadratic time and memory).
    r = eval::parseJudgeReply(std::string(200000, '{') + "language: 6 knowledge: 5 efficiency: 4");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[0], 6);
    EXPECT_FALSE(eval::parseJudgeReply(std::string(100000, '{') + std::string(100000, '}')).ok);
    // Natively each of these now takes milliseconds; before, the brace ones took
    // minutes (or ran out of memory) and the regex ones crashed.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
}

TEST(Judge, OnlyAThinkBlockOpeningTheReplyIsSkipped) {
    // A "<think>" quoted in the comment is text: skipping from it to the end
    // (no "</think>" follows) cut the JSON and lost the scores and comment.
    auto r =
        eval::parseJudgeReply(R"({"language": 7, "knowledge": 5.5, "efficiency": 8, "comment": "no <think> tags"})");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.scores.comment, "no <think> tags");
    r = eval::parseJudgeReply(R"({"language": 7, "knowledge": 5, "efficiency": 8, "comment": "<think>a</think>b"})");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.scores.comment, "<think>a</think>b");
    // The block a reasoning model opens with is skipped, after spaces too, and
    // one that never closes leaves nothing to read.
    r = eval::parseJudgeReply("\n <think>{\"language\": 1, \"knowledge\": 1, \"efficiency\": 1}</think>"
                              "{\"language\": 6, \"knowledge\": 5, \"efficiency\": 4}");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.scores.values[0], 6);
    EXPECT_FALSE(eval::parseJudgeReply("<think>language: 6 knowledge: 5 efficiency: 4").ok);
}

TEST(Judge, PromptNamesTheRubricAndCutsLongAnswers) {
    eval::JudgedModelInfo info{"1 full_sft", 25829888, 250, 120};
    auto msgs = eval::judgeMessages(info, {{"如果A比B高？", std::string(3000, 'x')}}, 100);
    ASSERT_EQ(msgs.size(), 2u);
    const std::string& u = msgs[1].content;
    for (const char* s : {"语言理解与生成", "知识与推理能力", "效率与资源", "\"language\"", "25829888", "如果A比B高？"})
        EXPECT_NE(u.find(s), std::string::npos) << s;
    EXPECT_EQ(u.find(std::string(101, 'x')), std::string::npos);
}

namespace {

/// A scripted OpenAI-compatible endpoint on loopback: replies[i] answers the
/// i-th request ({status, content}).
class FakeJudge {
public:
    explicit FakeJudge(std::vector<std::pair<int, std::string>> replies, int delayMs = 0)
        : m_replies(std::move(replies)) {
        m_svr.Post("/v1/chat/completions", [this, delayMs](const httplib::Request& req, httplib::Response& res) {
            const size_t i = m_count++;
            m_lastAuth = req.get_header_value("Authorization");
            if (delayMs > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
            const auto& [status, content] = m_replies[std::min(i, m_replies.size() - 1)];
            res.status = status;
            if (status == 200)
                res.set_content(
                    json{{"choices", json::array({{{"message", {{"role", "assistant"}, {"content", content}}}}})}}
                        .dump(),
                    "application/json");
            else
                res.set_content(json{{"error", {{"message", content}}}}.dump(), "application/json");
        });
        m_port = m_svr.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_svr.listen_after_bind(); });
    }
    ~FakeJudge() {
        m_svr.stop();
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/v1"; }
    size_t count() const { return m_count; }
    std::string lastAuth() const { return m_lastAuth; }

private:
    std::vector<std::pair<int, std::string>> m_replies;
    httplib::Server m_svr;
    std::thread m_thread;
    int m_port = 0;
    std::atomic<size_t> m_count{0};
    std::string m_lastAuth;
};

} // namespace

TEST(Judge, RetriesServerErrorsAndMalformedRepliesThenKeepsTheRawReply) {
    const std::string good = R"(评分：{"language": 6, "knowledge": 5, "efficiency": 7})";
    FakeJudge fake({{500, "overloaded"}, {200, "我无法评分"}, {200, good}});
    eval::JudgeOptions o;
    o.attempts = 4;
    o.firstBackoff = 0.01;
    o.timeoutSeconds = 20;
    auto out = eval::runJudge({fake.url(), "fake", "sk-secret-123"}, {{"user", "score"}}, o);
    ASSERT_TRUE(out.ok) << out.error;
    EXPECT_EQ(out.attempts, 3);
    EXPECT_EQ(out.rawReply, good);
    EXPECT_EQ(*out.scores.values[2], 7);
    EXPECT_EQ(fake.lastAuth(), "Bearer sk-secret-123");
}

TEST(Judge, DoesNotRetryAuthErrorsAndNeverEchoesTheKey) {
    FakeJudge fake({{401, "invalid api key"}});
    eval::JudgeOptions o;
    o.attempts = 5;
    o.firstBackoff = 0.01;
    auto out = eval::runJudge({fake.url(), "fake", "sk-secret-456"}, {{"user", "score"}}, o);
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.attempts, 1);
    EXPECT_EQ(fake.count(), 1u);
    EXPECT_NE(out.error.find("401"), std::string::npos) << out.error;
    EXPECT_EQ(out.error.find("sk-secret-456"), std::string::npos);
}

TEST(Judge, GivesUpAtTheTimeLimit) {
    FakeJudge fake({{200, R"({"language": 1, "knowledge": 1, "efficiency": 1})"}}, 1500);
    eval::JudgeOptions o;
    o.attempts = 3;
    o.timeoutSeconds = 0.6;
    const auto t0 = std::chrono::steady_clock::now();
    auto out = eval::runJudge({fake.url(), "fake", ""}, {{"user", "score"}}, o);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_FALSE(out.ok);
    EXPECT_LT(secs, 2.5);
}

TEST(Judge, RejectsNonHttpBaseUrls) {
    EXPECT_THROW(eval::splitBaseUrl("api.deepseek.com"), InputError);
    auto [host, prefix] = eval::splitBaseUrl("https://api.deepseek.com/v1/");
    EXPECT_EQ(host, "https://api.deepseek.com");
    EXPECT_EQ(prefix, "/v1");
}

// ---------------------------------------------------------------- scores

TEST(Scores, MarkdownTableIsTheSeedsExactly) {
    const std::string expected = test::kSeedScoreTable;
    EXPECT_EQ(eval::scoresMarkdown(eval::buildScoreTable({})), expected);
}

TEST(Scores, ManualScoresOverrideTheJudgeAndTotalsAdd) {
    auto rec = [](int mode, const char* dim, double v, const char* judge, bool manual) {
        store::ScoreRecord r;
        r.modelMode = mode;
        r.dimension = dim;
        r.value = v;
        r.judgeModel = judge;
        r.manual = manual;
        return r;
    };
    std::vector<store::ScoreRecord> s{rec(1, "language", 7, "deepseek-chat", false),
                                      rec(1, "knowledge", 6.5, "deepseek-chat", false),
                                      rec(1, "efficiency", 8, "deepseek-chat", false),
                                      rec(1, "knowledge", 4, "", true),
                                      rec(1, "knowledge", 9, "deepseek-chat", false), // later judge: manual still wins
                                      rec(2, "language", 3, "gpt", false)};
    const auto t = eval::buildScoreTable(s);
    const std::string md = eval::scoresMarkdown(t);
    EXPECT_NE(md.find("\n| 1        | 7                    | 4                    | 8               | 19          |\n"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("\n| 2        | 3                    |                      |                 |             |\n"),
              std::string::npos)
        << md;
    const std::string csv = eval::scoresCsv(t);
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
              "模型编号,语言理解与生成 (0-10),知识与推理能力 (0-10),效率与资源 (0-10),总分 (0-30),judge_model,manual");
    EXPECT_NE(csv.find("1,7,4,8,19,deepseek-chat,knowledge\r\n"), std::string::npos) << csv;
    const std::string html = eval::scoresHtml(t, "a <b> & c");
    EXPECT_NE(html.find("a &lt;b&gt; &amp; c"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"num manual\""), std::string::npos);
    EXPECT_EQ(eval::formatScore(6.333333), "6.33");
    EXPECT_EQ(eval::formatScore(20), "20");
    // Only one judge's scores when asked.
    const auto g = eval::buildScoreTable(s, "gpt");
    EXPECT_FALSE(g.rows[1].values[0]);
    EXPECT_EQ(*g.rows[1].values[1], 4); // manual scores always count
}

TEST(Scores, ComparisonPutsEveryModelsAnswerUnderEachPrompt) {
    auto ans = [](const char* set, const char* prompt, const char* text) {
        store::EvalAnswerRecord a;
        a.promptSet = set;
        a.prompt = prompt;
        a.text = text;
        return a;
    };
    std::vector<eval::CompareColumn> cols{
        {0, "0 pretrain", {ans("pretrain", "长沙市的美食有", "臭豆腐"), ans("eval", "谁最高？", "A|B")}},
        {1, "1 full_sft", {ans("eval", "谁最高？", "C\n最高")}}};
    const std::string md = eval::compareMarkdown(cols, "ws");
    EXPECT_NE(md.find("| 1 full_sft | — |"), std::string::npos) << md;
    EXPECT_NE(md.find("| 0 pretrain | A\\|B |"), std::string::npos) << md;
    EXPECT_NE(md.find("| 1 full_sft | C<br>最高 |"), std::string::npos) << md;
    const std::string html = eval::compareHtml(cols, "ws");
    EXPECT_NE(html.find("repeat(2,"), std::string::npos);
    EXPECT_NE(html.find("C\n最高"), std::string::npos);
}

// --------------------------------------------------------------- history

TEST(EvalHistory, StoresAnswersAndScoresAndMigratesVersion1) {
    test::TempDir dir;
    const std::string db = dir.file("micromind.db");
    {
        store::History h(db);
        EXPECT_EQ(h.schemaVersion(), store::History::kSchemaVersion);
    }
    {
        // Turn it back into a version-1 database: the v2 tables go away.
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(raw,
                               "DROP TABLE probes; DROP TABLE eval_answers; DROP TABLE scores; DROP TABLE "
                               "run_warnings; DROP TABLE queue_items; PRAGMA user_version = 1",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(raw);
    }
    store::History h(db);
    EXPECT_EQ(h.schemaVersion(), store::History::kSchemaVersion);
    const int64_t run1 = h.beginRun("eval", "{}", "out/full_sft_512.pth", "", "t");
    store::EvalAnswerRecord a;
    a.runId = run1;
    a.modelMode = 1;
    a.checkpoint = "out/full_sft_512.pth";
    a.promptSet = "chat";
    a.prompt = "请介绍一下自己。";
    a.text = "我是 MiniMind";
    a.seed = 42;
    a.tokens = 5;
    a.tokensPerSecond = 250.5;
    h.addEvalAnswers({a, a});
    h.finishRun(run1, "completed");
    const int64_t run2 = h.beginRun("eval", "{}", "out/full_sft_512.pth", "", "t");
    a.runId = run2;
    a.text = "newer";
    a.promptSet = "eval";
    h.addEvalAnswers({a});
    auto latest = h.latestEvalAnswers(1);
    ASSERT_EQ(latest.size(), 1u);
    EXPECT_EQ(latest[0].text, "newer");
    EXPECT_EQ(h.latestEvalAnswers(1, "chat").size(), 2u);
    EXPECT_EQ(h.evalAnswers(run1)[0].tokensPerSecond, 250.5);
    EXPECT_EQ(h.evaluatedModes(), std::vector<int>{1});
    store::ScoreRecord s;
    s.modelMode = 1;
    s.dimension = "language";
    s.value = 6;
    s.judgeModel = "deepseek-chat";
    s.promptVersion = eval::kJudgePromptVersion;
    s.rawReply = "{...}";
    s.answersRunId = run2;
    h.addScore(s);
    auto all = h.scores();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].judgeModel, "deepseek-chat");
    EXPECT_EQ(all[0].answersRunId, run2);
    EXPECT_FALSE(all[0].manual);
}

// ---------------------------------------------------------------- server

namespace {

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        tokPath = test::fixtureTokenizer();
        auto tok = text::Tokenizer::load(tokPath);
        model::MiniMind m = tinyModel(11, tok.vocabSize(), 2048); // room for the judge prompt
        weights::saveWeights(dir.file("full_sft_32.pth"), m, {{"stage", "full_sft"}}, torch::kFloat32);
        weights::saveWeights(dir.file("pretrain_32.pth"), m, {{"stage", "pretrain"}}, torch::kFloat32);
    }
    void start(eval::ServerOptions o) {
        o.port = 0;
        o.defaults.maxNewTokens = 8;
        server =
            std::make_unique<eval::ModelServer>(text::Tokenizer::load(tokPath), eval::discoverModels(dir.path()), o);
        port = server->bind();
        thread = std::thread([this] { server->run(nullptr, 60); });
    }
    void TearDown() override {
        if (server) {
            server->stop();
            thread.join();
        }
    }
    httplib::Result post(const json& body, httplib::Headers h = {}) {
        httplib::Client cli("127.0.0.1", port);
        cli.set_read_timeout(std::chrono::seconds(30));
        return cli.Post("/v1/chat/completions", h, body.dump(), "application/json");
    }
    test::TempDir dir;
    std::string tokPath;
    std::unique_ptr<eval::ModelServer> server;
    std::thread thread;
    int port = 0;
};

json userTurn(const std::string& s) { return json::array({{{"role", "user"}, {"content", s}}}); }

} // namespace

TEST_F(ServerTest, ListsModelsAndAnswersNonStreaming) {
    start({});
    httplib::Client cli("127.0.0.1", port);
    auto models = cli.Get("/v1/models");
    ASSERT_TRUE(models);
    ASSERT_EQ(models->status, 200);
    auto list = json::parse(models->body);
    ASSERT_EQ(list["data"].size(), 2u);
    EXPECT_EQ(list["data"][0]["id"], "full_sft_32"); // chat models first
    auto res = post({{"model", "full_sft_32"}, {"messages", userTurn("你好")}, {"max_tokens", 6}, {"temperature", 0}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    auto j = json::parse(res->body);
    EXPECT_EQ(j["object"], "chat.completion");
    EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
    EXPECT_LE(j["usage"]["completion_tokens"].get<int>(), 6);
    // Greedy is deterministic across requests.
    auto again =
        post({{"model", "full_sft_32"}, {"messages", userTurn("你好")}, {"max_tokens", 6}, {"temperature", 0}});
    EXPECT_EQ(json::parse(again->body)["choices"][0]["message"]["content"], j["choices"][0]["message"]["content"]);
}

TEST_F(ServerTest, StreamsServerSentEvents) {
    start({});
    auto res = post({{"messages", userTurn("你好")},
                     {"max_tokens", 5},
                     {"stream", true},
                     {"seed", 3},
                     {"stream_options", {{"include_usage", true}}}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_NE(res->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
    std::istringstream in(res->body);
    std::string line, text;
    int chunks = 0;
    bool done = false, finished = false, usage = false;
    while (std::getline(in, line)) {
        if (line.rfind("data: ", 0) != 0)
            continue;
        const std::string data = line.substr(6);
        if (data == "[DONE]") {
            done = true;
            continue;
        }
        auto c = json::parse(data);
        EXPECT_EQ(c["object"], "chat.completion.chunk");
        if (c.contains("usage")) {
            usage = true;
            continue;
        }
        ++chunks;
        const auto& ch = c["choices"][0];
        if (ch["delta"].contains("content"))
            text += ch["delta"]["content"].get<std::string>();
        if (!ch["finish_reason"].is_null())
            finished = true;
    }
    EXPECT_TRUE(done);
    EXPECT_TRUE(finished);
    EXPECT_TRUE(usage);
    EXPECT_GE(chunks, 2);
    // The same request without streaming gives the same text.
    auto whole = post({{"messages", userTurn("你好")}, {"max_tokens", 5}, {"seed", 3}});
    // (Invalid byte sequences from a random model may group differently.)
    if (text.find("\xEF\xBF\xBD") == std::string::npos)
        EXPECT_EQ(json::parse(whole->body)["choices"][0]["message"]["content"].get<std::string>(), eval::trimmed(text));
}

TEST_F(ServerTest, RejectsBadRequestsWithJsonErrors) {
    eval::ServerOptions o;
    o.maxTokens = 16;
    o.maxBodyBytes = 2048;
    start(o);
    httplib::Client cli("127.0.0.1", port);
    auto expectError = [](const httplib::Result& r, int status, const std::string& what) {
        ASSERT_TRUE(r) << what;
        EXPECT_EQ(r->status, status) << what << ": " << r->body;
        auto j = json::parse(r->body, nullptr, false);
        ASSERT_TRUE(j.is_object()) << what << ": " << r->body;
        EXPECT_TRUE(j["error"]["message"].is_string()) << what;
    };
    expectError(cli.Post("/v1/chat/completions", "{not json", "application/json"), 400, "bad json");
    expectError(post({{"messages", json::array()}}), 400, "no messages");
    expectError(post({{"messages", json::array({{{"role", "robot"}, {"content", "x"}}})}}), 400, "bad role");
    expectError(post({{"messages", json::array({{{"role", "assistant"}, {"content", "x"}}})}}), 400, "last not user");
    expectError(post({{"messages", userTurn("x")}, {"max_tokens", 17}}), 400, "max_tokens over the limit");
    expectError(post({{"messages", userTurn("x")}, {"temperature", "hot"}}), 400, "temperature type");
    expectError(post({{"model", "gpt-9"}, {"messages", userTurn("x")}}), 404, "unknown model");
    expectError(post({{"messages", userTurn(std::string(4000, 'x'))}}), 413, "body too large");
    expectError(cli.Get("/v1/nothing"), 404, "unknown route");
}

TEST_F(ServerTest, RequiresTheApiKeyWhenConfigured) {
    eval::ServerOptions o;
    o.apiKey = "k-123";
    start(o);
    auto no = post({{"messages", userTurn("x")}, {"max_tokens", 2}});
    ASSERT_TRUE(no);
    EXPECT_EQ(no->status, 401);
    EXPECT_EQ(no->body.find("k-123"), std::string::npos);
    auto yes = post({{"messages", userTurn("x")}, {"max_tokens", 2}}, {{"Authorization", "Bearer k-123"}});
    ASSERT_TRUE(yes);
    EXPECT_EQ(yes->status, 200);
}

TEST_F(ServerTest, ServesConcurrentRequests) {
    start({});
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i)
        clients.emplace_back([&, i] {
            auto r = post({{"model", i % 2 ? "pretrain_32" : "full_sft_32"},
                           {"messages", userTurn("第" + std::to_string(i))},
                           {"max_tokens", 6},
                           {"stream", i >= 2}});
            if (r && r->status == 200)
                ++ok;
        });
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(ok.load(), 4);
}

TEST_F(ServerTest, JudgeClientTalksToTheServer) {
    start({});
    // A random tiny model cannot produce the JSON: the judge reports that and keeps the raw reply.
    eval::JudgeOptions o;
    o.attempts = 2;
    o.firstBackoff = 0.01;
    o.maxTokens = 8;
    auto out = eval::runJudge({"http://127.0.0.1:" + std::to_string(port) + "/v1", "full_sft_32", ""},
                              eval::judgeMessages({"m", 0, 0, 0}, {{"q", "a"}}), o);
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.attempts, 2);
    EXPECT_NE(out.error.find("unusable reply"), std::string::npos) << out.error;
    auto call = eval::chatCompletion({"http://127.0.0.1:" + std::to_string(port) + "/v1", "full_sft_32", ""},
                                     {{"user", "hi"}}, 4, 0.0, 10);
    EXPECT_EQ(call.status, 200);
    EXPECT_TRUE(call.error.empty()) << call.error;
    auto missing = eval::chatCompletion({"http://127.0.0.1:" + std::to_string(port) + "/v1", "nope", ""},
                                        {{"user", "hi"}}, 4, 0.0, 10);
    EXPECT_EQ(missing.status, 404);
    EXPECT_NE(missing.error.find("not found"), std::string::npos) << missing.error;
}
