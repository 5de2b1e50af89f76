#include "fixtures.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "data/jsonl.h"
#include "text/tokenizer.h"

namespace mm::test {

namespace stdfs = std::filesystem;

TempDir::TempDir() {
    std::string tmpl = (stdfs::temp_directory_path() / "mmtest.XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    stdfs::remove_all(m_path, ec);
}

std::vector<std::string> corpusTexts(int n) {
    static const char* zh[] = {
        "床前明月光，疑是地上霜。举头望明月，低头思故乡。",   "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。",
        "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",   "世界上最高的山峰是珠穆朗玛峰，海拔八千八百多米。",
        "长沙市的美食有臭豆腐、糖油粑粑和口味虾。",           "大语言模型是一种在大量文本上训练的神经网络。",
        "二氧化碳在空气中的含量很低，但它是重要的温室气体。", "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？",
    };
    static const char* en[] = {
        "The quick brown fox jumps over the lazy dog.",
        "To be, or not to be, that is the question.",
        "A language model predicts the next token from the previous ones.",
        "def square_sum(xs):\n    return sum(x * x for x in xs if x % 2 == 0)\n",
        "Tabs\tand  double  spaces   stay exactly as written.",
        "Emoji survive too: \xF0\x9F\x98\x80 \xF0\x9F\x9A\x80 and accents: caf\xC3\xA9.",
    };
    const int nz = sizeof zh / sizeof *zh, ne = sizeof en / sizeof *en;
    std::vector<std::string> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        std::string doc;
        int k = 1 + (i * 7) % 4;
        for (int j = 0; j < k; ++j) {
            int s = (i * 3 + j * 5) % (nz + ne);
            doc += s < nz ? zh[s] : en[s - nz];
            if (j + 1 < k)
                doc += (i + j) % 2 ? "\n" : " ";
        }
        out.push_back(doc);
    }
    return out;
}

void writeLines(const std::string& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::binary);
    for (const auto& l : lines)
        out << l << '\n';
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::string writePretrainJsonl(const std::string& dir, int n, const std::string& name) {
    std::vector<std::string> lines;
    for (const auto& t : corpusTexts(n))
        lines.push_back(nlohmann::json{{"text", t}}.dump());
    std::string path = dir + "/" + name;
    writeLines(path, lines);
    return path;
}

std::string writeSftJsonl(const std::string& dir, int n, const std::string& name) {
    auto texts = corpusTexts(2 * n);
    std::vector<std::string> lines;
    for (int i = 0; i < n; ++i) {
        nlohmann::json conv = nlohmann::json::array();
        // Cut at a UTF-8 character boundary so the JSON stays valid.
        std::string head = texts[2 * i];
        size_t cut = std::min<size_t>(60, head.size());
        while (cut > 0 && cut < head.size() && (static_cast<unsigned char>(head[cut]) & 0xC0) == 0x80)
            --cut;
        conv.push_back({{"role", "user"}, {"content", "请复述：" + head.substr(0, cut)}});
        conv.push_back({{"role", "assistant"}, {"content", texts[2 * i + 1]}});
        lines.push_back(nlohmann::json{{"conversations", conv}}.dump());
    }
    std::string path = dir + "/" + name;
    writeLines(path, lines);
    return path;
}

std::string fixtureTokenizer() {
    static std::once_flag once;
    static std::string path;
    std::call_once(once, [] {
        std::string dir = (stdfs::temp_directory_path() / ("mmtest_tok_" + std::to_string(::getpid()))).string();
        stdfs::create_directories(dir);
        path = dir + "/tokenizer.model";
        auto texts = corpusTexts(400);
        size_t i = 0;
        text::TokenizerTrainOptions opts;
        opts.vocabSize = 512;
        text::trainTokenizer(
            [&](std::string& t) {
                if (i >= texts.size())
                    return false;
                t = texts[i++];
                return true;
            },
            path, opts);
        std::atexit([] {
            std::error_code ec;
            stdfs::remove_all(stdfs::path(path).parent_path(), ec);
        });
    });
    return path;
}

} // namespace mm::test

namespace mm::test {

std::string writeFortunesFixture(const std::string& dir, int poems) {
    // Synthetic verse: 5-character phrases drawn from a fixed pool, so every
    // poem is distinct and nothing is copied from the real corpus.
    static const std::vector<std::string> pool{"山", "水", "月", "风", "花", "雪", "春", "秋", "江", "云", "雨", "夜",
                                               "天", "日", "人", "归", "远", "长", "明", "清", "白", "青", "来", "去"};
    auto phrase = [&](int seed) {
        std::string p;
        for (int k = 0; k < 5; ++k)
            p += pool[size_t((seed * 7 + k * 13 + seed / 3) % int(pool.size()))];
        return p;
    };
    const char* esc = "\x1b";
    std::string tang, song, sayings;
    for (int i = 0; i < poems; ++i) {
        const bool ci = i % 4 == 3;
        std::string rec =
            std::string(esc) + "[32m" + (ci ? "题目:" : "") + "《测试诗" + std::to_string(i) + "》" + esc + "[m\n";
        rec += std::string(esc) + "[33m作者" + (ci ? ":" : "：") + "诗人" + std::to_string(i % 5) +
               (ci ? "（９８７－１０５３）" : "") + esc + "[m\n";
        for (int l = 0; l < 4; ++l)
            rec += phrase(i * 11 + l * 2) + "，" + phrase(i * 11 + l * 2 + 1) + "。\n";
        (ci ? song : tang) += rec + "%\n";
    }
    for (int i = 0; i < 30; ++i)
        sayings +=
            "  " + phrase(i * 5 + 3) + "，" + phrase(i * 5 + 4) + "。\n\n    -- 格言 " + std::to_string(i) + "\n%\n";
    writeLines(dir + "/tang300", {tang});
    writeLines(dir + "/song100", {song});
    writeLines(dir + "/chinese", {sayings});
    return dir;
}

} // namespace mm::test
