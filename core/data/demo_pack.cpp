#include "data/demo_pack.h"

#include "common/error.h"
#include "common/fs.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mm::data {

namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

std::string trim(const std::string& s) {
    const char* ws = " \t\r\n";
    const size_t a = s.find_first_not_of(ws);
    if (a == std::string::npos)
        return "";
    // Full-width spaces (U+3000) also pad some lines.
    std::string t = s.substr(a, s.find_last_not_of(ws) - a + 1);
    const std::string ideo = "\xE3\x80\x80";
    while (t.compare(0, ideo.size(), ideo) == 0)
        t.erase(0, ideo.size());
    while (t.size() >= ideo.size() && t.compare(t.size() - ideo.size(), ideo.size(), ideo) == 0)
        t.erase(t.size() - ideo.size());
    return t;
}

size_t utf8Len(unsigned char lead) {
    if (lead < 0x80)
        return 1;
    if ((lead >> 5) == 0x6)
        return 2;
    if ((lead >> 4) == 0xE)
        return 3;
    if ((lead >> 3) == 0x1E)
        return 4;
    return 1; // stray continuation byte: step over it
}

/// The first `n` code points of `s`.
std::string prefixChars(const std::string& s, size_t n) {
    size_t i = 0;
    for (size_t k = 0; k < n && i < s.size(); ++k)
        i += utf8Len(static_cast<unsigned char>(s[i]));
    return s.substr(0, std::min(i, s.size()));
}

size_t codepoints(const std::string& s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); i += utf8Len(static_cast<unsigned char>(s[i])))
        ++n;
    return n;
}

bool isPhraseEnd(const std::string& ch) {
    static const std::set<std::string> ends{"，", "。", "？", "！", "；", "：", ",", ".", "?", "!", ";"};
    return ends.count(ch) > 0;
}

std::vector<std::string> splitPhrases(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool sawEnd = false;
    for (size_t i = 0; i < line.size();) {
        const size_t n = utf8Len(static_cast<unsigned char>(line[i]));
        const std::string ch = line.substr(i, n);
        i += n;
        if (isPhraseEnd(ch)) {
            sawEnd = true;
            cur = trim(cur);
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    // A line without punctuation is a label ("其一"), not verse.
    if (!sawEnd)
        return {};
    cur = trim(cur);
    if (!cur.empty())
        out.push_back(cur);
    return out;
}

uint64_t hash64(const std::string& s) { return std::stoull(fs::hashHex(s), nullptr, 16); }

std::string readSource(const std::string& dir, const std::string& name) {
    const std::string path = (stdfs::path(dir) / name).string();
    if (!fs::isFile(path))
        throw InputError(
            path + ": no such file; the demo corpus comes from Debian's fortunes-zh package: "
                   "`sudo apt-get install fortunes-zh` (or pass --source DIR holding tang300, song100 and chinese)");
    return fs::readFile(path);
}

json turn(const std::string& role, const std::string& content) { return {{"role", role}, {"content", content}}; }

json conversation(const std::string& q, const std::string& a) {
    return {{"conversations", json::array({turn("user", q), turn("assistant", a)})}};
}

/// Picks one of several phrasings, stably per key.
const std::string& pick(const std::vector<std::string>& v, const std::string& key) { return v[hash64(key) % v.size()]; }

std::string fill(std::string tpl, const std::map<std::string, std::string>& vars) {
    for (const auto& [k, val] : vars) {
        const std::string slot = "{" + k + "}";
        for (size_t p = tpl.find(slot); p != std::string::npos; p = tpl.find(slot, p + val.size()))
            tpl.replace(p, slot.size(), val);
    }
    return tpl;
}

const std::vector<std::string> kAuthorQ{"《{t}》的作者是谁？", "《{t}》是谁写的？", "谁写了《{t}》？"};
const std::vector<std::string> kFactS{"《{t}》是{a}写的{k}。", "{a}写过一首{k}，题为《{t}》。", "《{t}》，{a}作。"};
const std::vector<std::string> kNextQ{"「{p}」的下一句是什么？", "{p}，下一句是？", "请接下一句：{p}"};

struct Qa {
    std::string question, answer, kind; ///< kind: author, next
    std::string think;                  ///< the reasoning for the reason set
    std::string quoted;                 ///< what the question quotes: the line (next) or 《title》 (author)
};

/// The checkable questions of a poem (answers short enough for exact match).
std::vector<Qa> questionsOf(const Poem& p, int maxPairs) {
    std::vector<Qa> out;
    const std::string kindName = p.ci ? "宋词" : "唐诗";
    out.push_back({fill(pick(kAuthorQ, p.title + p.author), {{"t", p.title}}), p.author, "author",
                   fill("问的是《{t}》的作者：一首{k}，答诗人的名字。", {{"t", p.title}, {"k", kindName}}),
                   "《" + p.title + "》"});
    // Next-line pairs spread over the poem.
    const int pairs = static_cast<int>(p.phrases.size()) - 1;
    const int take = std::min(pairs, maxPairs);
    for (int k = 0; k < take; ++k) {
        const size_t i = take == pairs ? size_t(k) : size_t(int64_t(k) * pairs / take);
        const std::string& a = p.phrases[i];
        const std::string& b = p.phrases[i + 1];
        out.push_back(
            {fill(pick(kNextQ, a + b), {{"p", a}}), b, "next",
             fill("问的是「{p}」的下一句，答一句{n}个字的诗。", {{"p", a}, {"n", std::to_string(codepoints(b))}}), a});
    }
    return out;
}

/// A wrong answer of the same kind, from another poem, for DPO.
std::string wrongAnswer(const Qa& q, const std::vector<Poem>& pool, std::mt19937_64& rng) {
    for (int tries = 0; tries < 64; ++tries) {
        const Poem& o = pool[rng() % pool.size()];
        std::string cand;
        if (q.kind == "author")
            cand = o.author;
        else if (!o.phrases.empty())
            cand = o.phrases[rng() % o.phrases.size()];
        if (!cand.empty() && cand != q.answer)
            return cand;
    }
    return "";
}

class JsonlOut {
public:
    JsonlOut(std::string dir, std::string name) : m_path((stdfs::path(dir) / name).string()) {}
    void add(const json& j) { m_lines.push_back(j.dump()); }
    int64_t size() const { return int64_t(m_lines.size()); }
    /// Shuffles (seeded Fisher-Yates, the same on every platform) and writes.
    void write(uint64_t seed) {
        std::mt19937_64 rng(seed ^ hash64(m_path.substr(m_path.find_last_of('/') + 1)));
        for (size_t i = m_lines.size(); i > 1; --i)
            std::swap(m_lines[i - 1], m_lines[rng() % i]);
        std::string bytes;
        for (const auto& l : m_lines)
            bytes += l + "\n";
        // An unchanged file is left alone: its timestamp is part of the token
        // cache and resume keys, so a re-run can reuse both.
        if (fs::isFile(m_path) && fs::readFile(m_path) == bytes)
            return;
        fs::writeFileAtomic(m_path, bytes);
    }

private:
    std::string m_path;
    std::vector<std::string> m_lines;
};

/// Chatbot boilerplate that scraped dialogue data often appends to an answer.
const std::vector<std::string> kBoilerplate{"希望对你有帮助！", "如有其他问题，欢迎继续提问。", "以上回答仅供参考。"};

std::string withBoilerplate(const Qa& q) { return q.answer + "\n\n" + pick(kBoilerplate, q.question); }

/// One in five SFT answers carries boilerplate (stably per question).
bool sftAnswerHasBoilerplate(const Qa& q) { return hash64("boilerplate|" + q.question) % 5 == 0; }

const char* kIdentity = "我是MicroMind，一个在这台电脑上从零训练的小语言模型。我读过唐诗三百首、宋词一百首和一些格言，"
                        "可以回答唐诗的作者和下一句。";
const std::vector<std::string> kIdentityQ{"你是谁？",       "请介绍一下自己。", "介绍一下你自己。",
                                          "你叫什么名字？", "你能做什么？",     "你好，你是什么模型？"};

} // namespace

const std::vector<std::string>& dpoPairKinds() {
    static const std::vector<std::string> k{"wrong_fact", "echo", "quoted", "boilerplate"};
    return k;
}

std::string demo_files::heldoutDpoKind(const std::string& kind) { return "heldout_dpo_" + kind + ".jsonl"; }

std::string stripAnsi(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
            size_t j = i + 2;
            while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == ';'))
                ++j;
            if (j < s.size() && s[j] == 'm') {
                i = j;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::vector<std::string> splitFortunes(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(stripAnsi(text));
    std::string line, cur;
    auto flush = [&] {
        std::string t = trim(cur);
        if (!t.empty())
            out.push_back(t);
        cur.clear();
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line == "%")
            flush();
        else
            cur += line + "\n";
    }
    flush();
    return out;
}

bool parsePoem(const std::string& record, bool ci, Poem& out) {
    std::istringstream in(record);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line))
        lines.push_back(trim(line));
    if (lines.size() < 3)
        return false;
    const size_t a = lines[0].find("《"), b = lines[0].find("》");
    if (a == std::string::npos || b == std::string::npos || b <= a)
        return false;
    out.title = trim(lines[0].substr(a + std::string("《").size(), b - a - std::string("《").size()));
    std::string author = lines[1];
    if (author.rfind("作者", 0) != 0)
        return false;
    author = author.substr(std::string("作者").size());
    for (const char* sep : {"：", ":"})
        if (author.rfind(sep, 0) == 0)
            author = author.substr(std::string(sep).size());
    for (const char* open : {"（", "("})
        author = author.substr(0, author.find(open));
    out.author = trim(author);
    out.ci = ci;
    out.body.clear();
    out.phrases.clear();
    for (size_t i = 2; i < lines.size(); ++i) {
        if (lines[i].empty())
            continue;
        out.body += (out.body.empty() ? "" : "\n") + lines[i];
        for (auto& p : splitPhrases(lines[i]))
            if (codepoints(p) >= 2 && codepoints(p) <= 16)
                out.phrases.push_back(std::move(p));
    }
    return !out.title.empty() && !out.author.empty() && !out.body.empty();
}

DemoPackSummary buildDemoPack(const DemoPackOptions& opts) {
    if (opts.outDir.empty())
        throw InputError("demo data pack: no output folder given");
    std::vector<Poem> poems;
    DemoPackSummary sum;
    for (const auto& [file, ci] : std::vector<std::pair<std::string, bool>>{{"tang300", false}, {"song100", true}}) {
        for (const auto& rec : splitFortunes(readSource(opts.sourceDir, file))) {
            Poem p;
            if (!parsePoem(rec, ci, p))
                continue;
            // Long poems (长恨歌 alone is ~1,000 tokens) would take most of the
            // pretraining budget; the demo keeps the short forms it can learn.
            if (opts.maxPoemChars > 0 && codepoints(p.body) > size_t(opts.maxPoemChars)) {
                ++sum.longPoemsSkipped;
                continue;
            }
            p.heldOut = double(hash64(p.title + "|" + p.author) % 10000) < opts.heldOutShare * 10000.0;
            poems.push_back(std::move(p));
        }
    }
    const std::vector<std::string> sayings = splitFortunes(readSource(opts.sourceDir, "chinese"));
    if (poems.size() < 4)
        throw InputError(
            (stdfs::path(opts.sourceDir) / "tang300").string() +
            ": fewer than 4 poems could be read (expected 《title》 / 作者：name / lines records separated by %" +
            (sum.longPoemsSkipped > 0 ? "; " + std::to_string(sum.longPoemsSkipped) + " longer than " +
                                            std::to_string(opts.maxPoemChars) + " characters were left out"
                                      : std::string()) +
            ")");
    // A corpus too small for a split still needs one held-out and one training poem.
    if (std::none_of(poems.begin(), poems.end(), [](const Poem& p) { return p.heldOut; }))
        poems.back().heldOut = true;
    if (std::all_of(poems.begin(), poems.end(), [](const Poem& p) { return p.heldOut; }))
        poems.front().heldOut = false;

    std::vector<Poem> train;
    for (const auto& p : poems) {
        ++sum.poems;
        sum.ci += p.ci;
        sum.heldOutPoems += p.heldOut;
        if (!p.heldOut)
            train.push_back(p);
    }
    sum.sayings = int64_t(sayings.size());

    const std::string& d = opts.outDir;
    JsonlOut pretrain(d, demo_files::pretrain), sft(d, demo_files::sft), dpo(d, demo_files::dpo),
        reason(d, demo_files::reason), lora(d, demo_files::lora), grpo(d, demo_files::grpo),
        hQa(d, demo_files::heldoutQa), hSft(d, demo_files::heldoutSft), hDpo(d, demo_files::heldoutDpo),
        hReason(d, demo_files::heldoutReason), hLora(d, demo_files::heldoutLora), hGrpo(d, demo_files::heldoutGrpo),
        trainQa(d, demo_files::trainQa);

    // Pretraining: the knowledge source, held-out poems included.
    // Each poem is read several times, and its authorship is also stated in
    // three sentences: knowledge stated in more than one form is what a model
    // can later recall by question, for poems the chat stages never ask about.
    for (const auto& p : poems) {
        for (int r = 0; r < std::max(1, opts.poemRepeats); ++r)
            pretrain.add({{"text", "《" + p.title + "》\n作者：" + p.author + "\n" + p.body}});
        const std::map<std::string, std::string> vars{{"t", p.title}, {"a", p.author}, {"k", p.ci ? "词" : "诗"}};
        for (const auto& sentence : kFactS)
            pretrain.add({{"text", fill(sentence, vars)}});
    }
    // A sample of the sayings, spread over the file: plain prose beside the verse.
    const size_t keep = opts.maxSayings < 0 ? sayings.size() : std::min(sayings.size(), size_t(opts.maxSayings));
    for (size_t i = 0; i < keep; ++i)
        pretrain.add({{"text", sayings[i * sayings.size() / keep]}});
    sum.sayingsUsed = int64_t(keep);

    std::mt19937_64 rng(opts.seed);
    // Training poems first, so held-out questions whose text a training poem
    // also asks (a phrase shared by two poems) can be left out of the held-out sets.
    std::vector<const Poem*> order;
    for (const auto& p : poems)
        if (!p.heldOut)
            order.push_back(&p);
    for (const auto& p : poems)
        if (p.heldOut)
            order.push_back(&p);
    // Wrong answers for DPO come from Tang poems of the pair's own side: a
    // held-out pair whose wrong answer SFT had memorised would measure that
    // memory, not the preference.
    std::vector<Poem> tangTrain, tangHeld;
    for (const auto& p : poems)
        if (!p.ci)
            (p.heldOut ? tangHeld : tangTrain).push_back(p);
    if (tangTrain.empty())
        tangTrain = train;
    if (tangHeld.empty())
        tangHeld = tangTrain;
    std::set<std::string> trainedQuestions;
    std::map<std::string, int64_t> heldAnswers, trainAnswers, heldAuthors;
    JsonlOut hAuthorQa(d, demo_files::heldoutAuthorQa);
    std::map<std::string, JsonlOut> hDpoKinds;
    for (const auto& k : dpoPairKinds())
        hDpoKinds.emplace(k, JsonlOut(d, demo_files::heldoutDpoKind(k)));
    for (const Poem* pp : order) {
        const Poem& p = *pp;
        const std::vector<Qa> questions = questionsOf(p, opts.maxPairsPerPoem);
        // GRPO's one next-line question of this poem (beside its author question).
        const size_t grpoNext = questions.size() > 1 ? 1 + hash64(p.title + p.author) % (questions.size() - 1) : 0;
        for (size_t qi = 0; qi < questions.size(); ++qi) {
            const Qa& q = questions[qi];
            if (p.heldOut && trainedQuestions.count(q.question))
                continue;
            if (!p.heldOut)
                trainedQuestions.insert(q.question);
            const json conv = conversation(q.question, q.answer);
            if (p.ci) {
                // Song ci: the LoRA's domain, kept out of every chat stage.
                (p.heldOut ? hLora : lora).add(conv);
                continue;
            }
            const json rconv =
                conversation(q.question, "<think>" + q.think + "</think><answer>" + q.answer + "</answer>");
            // A quarter of the pairs reject a wrong fact (a line or author of
            // another poem: knowledge); the rest reject failures that hold for
            // any poem: echoing the question, answering with what it quotes,
            // or the boilerplate a fifth of the SFT answers end with (DPO's
            // job here: the preference the SFT data did not teach).
            const size_t kind = size_t(rng() % dpoPairKinds().size());
            std::string wrong;
            switch (kind) {
            case 0: wrong = wrongAnswer(q, p.heldOut ? tangHeld : tangTrain, rng); break;
            case 1: wrong = q.question; break;
            case 2: wrong = q.quoted; break;
            default: wrong = withBoilerplate(q); break;
            }
            json pair;
            if (!wrong.empty())
                pair = {{"chosen", conv["conversations"]},
                        {"rejected", json::array({turn("user", q.question), turn("assistant", wrong)})}};
            const json qa = {{"question", q.question}, {"answer", q.answer}};
            const json grpoItem = {{"conversations", json::array({turn("user", q.question)})}, {"answer", q.answer}};
            if (p.heldOut) {
                hSft.add(conv);
                hReason.add(rconv);
                if (!pair.is_null()) {
                    hDpo.add(pair);
                    hDpoKinds.at(dpoPairKinds()[kind]).add(pair);
                }
                hQa.add(qa);
                ++heldAnswers[q.answer];
                if (q.kind == "author") {
                    hAuthorQa.add(qa);
                    ++heldAuthors[q.answer];
                }
                hGrpo.add(grpoItem);
                continue;
            }
            // Like scraped dialogue data, some SFT answers end in boilerplate
            // (DPO then prefers the answers without it).
            sft.add(sftAnswerHasBoilerplate(q) ? conversation(q.question, withBoilerplate(q)) : conv);
            // The same question as plain text in pretraining, so the model
            // meets the question form while it reads the poems (a held-out
            // poem's questions are never added).
            if (opts.qaInPretraining) {
                pretrain.add({{"text", q.question + "\n" + q.answer}});
                ++sum.pretrainQa;
            }
            reason.add(rconv);
            if (!pair.is_null())
                dpo.add(pair);
            // GRPO practises as many author questions (a short answer the
            // model can find in what pretraining read, for any poem) as
            // next-line ones (one per poem, so it keeps answering those with
            // a line); the held-out reward asks every question.
            if (q.kind == "author" || qi == grpoNext)
                grpo.add(grpoItem);
            // Every third poem's questions: a fixed sample of what SFT saw.
            if (hash64(p.title + "|" + p.author) % 3 == 0) {
                trainQa.add(qa);
                ++trainAnswers[q.answer];
            }
        }
    }
    // Who am I: a few phrasings, repeated so the assistant persona is learnt.
    // DPO gets the same questions with the self-introduction cut short as the
    // rejected answer: the boilerplate pairs teach it to stop after the
    // answer, and without these it stops a self-introduction after "我是M" too.
    for (int r = 0; r < 8; ++r)
        for (const auto& q : kIdentityQ) {
            const json self = conversation(q, kIdentity);
            sft.add(self);
            const size_t cut = 2 + hash64(q + std::to_string(r)) % 39; // 2..40 characters
            dpo.add({{"chosen", self["conversations"]},
                     {"rejected", json::array({turn("user", q), turn("assistant", prefixChars(kIdentity, cut))})}});
        }
    // Chance: the best a model answering one fixed string to every question
    // could score (the most frequent reference answer's share).
    auto chance = [](const std::map<std::string, int64_t>& counts, std::string& best) {
        int64_t n = 0, top = 0;
        for (const auto& [a, c] : counts) {
            n += c;
            if (c > top) {
                top = c;
                best = a;
            }
        }
        return n > 0 ? double(top) / double(n) : 0.0;
    };
    sum.heldoutChance = chance(heldAnswers, sum.heldoutChanceAnswer);
    sum.trainChance = chance(trainAnswers, sum.trainChanceAnswer);
    sum.heldoutAuthorChance = chance(heldAuthors, sum.heldoutAuthorChanceAnswer);

    for (JsonlOut* f : {&pretrain, &sft, &dpo, &reason, &lora, &grpo, &hQa, &hSft, &hDpo, &hReason, &hLora, &hGrpo,
                        &trainQa, &hAuthorQa})
        f->write(opts.seed);
    for (auto& [kind, f] : hDpoKinds)
        f.write(opts.seed);
    sum.pretrainDocs = pretrain.size();
    sum.sft = sft.size();
    sum.dpo = dpo.size();
    sum.reason = reason.size();
    sum.lora = lora.size();
    sum.grpo = grpo.size();
    sum.heldoutQa = hQa.size();
    sum.heldoutSft = hSft.size();
    sum.heldoutDpo = hDpo.size();
    sum.heldoutLora = hLora.size();
    sum.trainQa = trainQa.size();
    sum.heldoutAuthorQa = hAuthorQa.size();
    return sum;
}

} // namespace mm::data
