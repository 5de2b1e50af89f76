#pragma once
// Small fixtures the tests write themselves, so the suite needs nothing outside
// the repository: a temporary directory and a tiny bilingual corpus in
// minimind's jsonl formats.

#include <string>
#include <vector>

namespace mm::test {

/// The seed's empty score table, byte for byte (Markdown, rows 0-4).
inline constexpr const char* kSeedScoreTable =
    "| 模型编号 | 语言理解与生成 (0-10) | 知识与推理能力 (0-10) | 效率与资源 (0-10) | 总分 (0-30) |\n"
    "|----------|----------------------|----------------------|-----------------|-------------|\n"
    "| 0        |                      |                      |                 |             |\n"
    "| 1        |                      |                      |                 |             |\n"
    "| 2        |                      |                      |                 |             |\n"
    "| 3        |                      |                      |                 |             |\n"
    "| 4        |                      |                      |                 |             |\n";

/// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

/// Deterministic corpus texts (Chinese and English sentences, code, emoji),
/// `n` documents.
std::vector<std::string> corpusTexts(int n);

/// Writes `lines` to `path`, one per line.
void writeLines(const std::string& path, const std::vector<std::string>& lines);

/// Writes a pretrain jsonl ({"text": ...} per line) with `n` documents; returns path.
std::string writePretrainJsonl(const std::string& dir, int n, const std::string& name = "pretrain.jsonl");

/// Writes an SFT jsonl with `n` two-turn conversations; returns path.
std::string writeSftJsonl(const std::string& dir, int n, const std::string& name = "sft.jsonl");

/// Trains (once per process, cached under the temp dir) a small tokenizer on the
/// fixture corpus and returns the .model path. vocab 512.
std::string fixtureTokenizer();

} // namespace mm::test

namespace mm::test {

/// Writes fortunes-zh-format files (tang300, song100, chinese: records
/// separated by "%", ANSI colour codes, 《title》 / 作者：name headers) with
/// synthetic poems and sayings into `dir`; returns `dir`.
std::string writeFortunesFixture(const std::string& dir, int poems = 24);

} // namespace mm::test
