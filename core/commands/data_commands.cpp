#include "commands/data_commands.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "data/jsonl.h"
#include "data/token_cache.h"
#include "text/tokenizer.h"
#include "train/stage_build.h"

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <iterator>
#include <memory>

namespace mm::data {

namespace stdfs = std::filesystem;

int runTrainTokenizerCommand(const config::Values& cfg, const Console& con) {
    const auto files = splitList(cfg.getString("data_path"));
    if (files.empty())
        throw InputError("--data_path is empty; give one or more jsonl files separated by commas");
    for (const auto& f : files)
        train::requireDataFile(f, "--data_path", "give a minimind jsonl file");
    const std::string outDir = cfg.getString("out_dir");
    fs::ensureWritableDir(outDir);
    const std::string outPath = (stdfs::path(outDir) / "tokenizer.model").string();

    // Streams every text of every file; make() restarts from the first file, so
    // the corpus can be read twice (character statistics, then training).
    struct Corpus {
        std::vector<std::string> files;
        bool skipBad = false;
        size_t fileIdx = 0;
        std::unique_ptr<JsonlReader> reader;
        std::vector<std::string> pending;
        size_t pendingPos = 0;
        int64_t records = 0, bytes = 0, badLines = 0;
        nlohmann::json rec;
        void restart() {
            fileIdx = 0;
            reader.reset();
            pending.clear();
            pendingPos = 0;
            records = bytes = badLines = 0;
        }
        bool next(std::string& out) {
            while (pendingPos >= pending.size()) {
                if (!reader) {
                    if (fileIdx >= files.size())
                        return false;
                    reader = std::make_unique<JsonlReader>(files[fileIdx++], skipBad);
                }
                if (!reader->next(rec)) {
                    badLines += reader->badLines();
                    reader.reset();
                    continue;
                }
                try {
                    pending = anyTexts(rec, reader->where());
                } catch (const InputError& e) {
                    reader->reject(e.what());
                    pending.clear();
                }
                pendingPos = 0;
                ++records;
            }
            out = std::move(pending[pendingPos++]);
            bytes += int64_t(out.size());
            return true;
        }
    } corpus;
    corpus.files = files;
    corpus.skipBad = cfg.getBool("skip_bad_lines");
    text::TextSource source = [&corpus](std::string& out) { return corpus.next(out); };
    text::TokenizerTrainOptions opts;
    opts.vocabSize = int(cfg.getInt("vocab_size"));
    opts.maxSentences = cfg.getInt("max_sentences");
    opts.threads = int(cfg.getInt("threads"));
    opts.characterCoverage = cfg.getFloat("character_coverage");
    if (opts.characterCoverage <= 0) {
        opts.characterCoverage = text::autoCharacterCoverage(source, opts.vocabSize);
        corpus.restart();
    }
    con.print(strf("training a %d-token BPE tokenizer on %zu file(s), character coverage %.4f...\n", opts.vocabSize,
                   files.size(), opts.characterCoverage));
    auto t0 = std::chrono::steady_clock::now();
    text::trainTokenizer(source, outPath, opts);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    text::Tokenizer tok = text::Tokenizer::load(outPath);
    con.print(strf("read %lld records (%s bytes of text%s); wrote %s (vocab %d) in %s\n", (long long)corpus.records,
                   formatCount(double(corpus.bytes)).c_str(),
                   corpus.badLines ? (", " + std::to_string(corpus.badLines) + " bad lines skipped").c_str() : "",
                   outPath.c_str(), tok.vocabSize(), formatDuration(secs).c_str()));
    return 0;
}

namespace {

// minimind's dataset files and the command that reads each.
struct DatasetFile {
    const char* name;
    const char* use;
};
const DatasetFile kDatasetFiles[] = {
    {"pretrain_hq.jsonl", "micromind train_tokenizer / pretrain --data_path dataset/pretrain_hq.jsonl"},
    {"sft_mini_512.jsonl", "micromind full_sft --data_path dataset/sft_mini_512.jsonl"},
    {"sft_512.jsonl", "micromind full_sft (larger alternative)"},
    {"sft_1024.jsonl", "micromind full_sft --max_seq_len 1024 (larger alternative)"},
    {"sft_2048.jsonl", "micromind full_sft --max_seq_len 2048 (larger alternative)"},
    {"dpo.jsonl", "micromind dpo --data_path dataset/dpo.jsonl"},
    {"r1_mix_1024.jsonl", "micromind distill_reason --data_path dataset/r1_mix_1024.jsonl"},
    {"lora_medical.jsonl", "micromind lora --lora_name lora_medical --data_path dataset/lora_medical.jsonl"},
    {"lora_identity.jsonl", "micromind lora --lora_name lora_identity --data_path dataset/lora_identity.jsonl"},
};

/// `micromind data --guide`: what to download, where it goes, what is there,
/// and whether the network reaches the host — with a short timeout, never a hang.
int dataGuide(const std::string& dir, const Console& con) {
    con.print(strf("minimind's dataset (gongjy/minimind_dataset on ModelScope, several GB in all) goes to %s/:\n\n",
                   dir.c_str()));
    int present = 0;
    for (const auto& f : kDatasetFiles) {
        const stdfs::path p = stdfs::path(dir) / f.name;
        std::error_code ec;
        const bool there = stdfs::is_regular_file(p, ec);
        present += there;
        const std::string size = there ? "  (" + formatCount(double(stdfs::file_size(p, ec))) + "B)" : "";
        con.print(strf("  [%s] %-20s %s%s\n", there ? "x" : " ", f.name, f.use, size.c_str()));
    }
    con.print(strf("\n%d of %zu files present. Check one with: micromind data --data_path %s/pretrain_hq.jsonl "
                   "[--format sft]\n\n",
                   present, std::size(kDatasetFiles), dir.c_str()));
    const std::string host = "www.modelscope.cn";
    con.print(
        strf("Download (needs Python's modelscope package and network):\n"
             "  pip install modelscope && modelscope download --dataset gongjy/minimind_dataset --local_dir %s\n\n"
             "network: checking %s (5 s timeout)... ",
             dir.c_str(), host.c_str()));
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    httplib::Client cli("https://" + host);
#else
    httplib::Client cli("http://" + host);
#endif
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(5, 0);
    const auto res = cli.Head("/");
    if (res) {
        con.print(strf("reachable (HTTP %d): the command above should work here.\n", res->status));
    } else {
        con.print(strf("NOT reachable (%s).\n"
                       "This machine cannot download the dataset: fetch it on a machine with network access and copy "
                       "the folder here, or train on the embedded demo corpus instead (`micromind demo`).\n",
                       httplib::to_string(res.error()).c_str()));
    }
    return 0;
}

} // namespace

int runDataCommand(const config::Values& cfg, const Console& con,
                   const std::function<void(int64_t, int64_t)>& progress) {
    if (cfg.getBool("guide"))
        return dataGuide(cfg.getString("dataset_dir"), con);
    const std::string dataPath = cfg.getString("data_path");
    if (dataPath.empty())
        throw InputError("--data_path is required: the jsonl file to check (or `micromind data --guide` for where "
                         "to get minimind's dataset)");
    train::requireDataFile(
        dataPath, "--data_path",
        "give a minimind jsonl file (`micromind data --guide` says where to get minimind's dataset)");
    const bool json = cfg.getBool("json");
    text::Tokenizer tok = train::loadStageTokenizer(cfg.getString("tokenizer"), cfg.getString("out_dir"));
    CacheBuildOptions co;
    co.format = cfg.getString("format") == "sft" ? CacheFormat::Sft : CacheFormat::Pretrain;
    co.skipBadLines = cfg.getBool("skip_bad_lines");
    co.progress = progress;
    const std::string outDir = cfg.getString("out_dir");
    fs::ensureWritableDir(outDir);
    TokenCache cache = TokenCache::openOrBuild(dataPath, tok, (stdfs::path(outDir) / "cache").string(), co);
    const int seqLen = int(cfg.getInt("max_seq_len"));
    DataSummary s = summarize(cache, seqLen);
    nlohmann::json j{{"data_path", dataPath},
                     {"documents", s.documents},
                     {"tokens", s.tokens},
                     {"bad_lines", s.badLines},
                     {"tokens_per_doc_mean", s.meanTokensPerDoc},
                     {"tokens_per_doc_p50", s.p50TokensPerDoc},
                     {"tokens_per_doc_p95", s.p95TokensPerDoc},
                     {"tokens_per_doc_max", s.maxTokensPerDoc},
                     {"max_seq_len", seqLen},
                     {"pack_samples", s.packedSamples},
                     {"pack_dropped_tokens", s.packedDroppedTokens},
                     {"pad_samples", s.paddedSamples},
                     {"pad_truncated_docs_share", s.truncatedShare},
                     {"pad_truncated_tokens_share", s.truncatedTokenShare},
                     {"pad_padding_share", s.paddingShare},
                     {"bytes_per_token", s.tokens > 0 ? double(stdfs::file_size(dataPath)) / double(s.tokens) : 0.0},
                     {"cache", cache.path()}};
    if (json) {
        con.print(j.dump() + "\n");
        return 0;
    }
    con.print(strf("%s\n", dataPath.c_str()));
    con.print(strf("  documents            %lld%s\n", (long long)s.documents,
                   s.badLines ? (" (" + std::to_string(s.badLines) + " bad lines skipped)").c_str() : ""));
    con.print(strf("  tokens               %lld (%.2f file bytes per token)\n", (long long)s.tokens,
                   j["bytes_per_token"].get<double>()));
    con.print(strf("  tokens per document  mean %.1f, median %lld, p95 %lld, max %lld\n", s.meanTokensPerDoc,
                   (long long)s.p50TokensPerDoc, (long long)s.p95TokensPerDoc, (long long)s.maxTokensPerDoc));
    con.print(strf("  pack  (seq %d)       %lld samples, no padding, %lld tail tokens unused\n", seqLen,
                   (long long)s.packedSamples, (long long)s.packedDroppedTokens));
    con.print(strf("  pad   (seq %d)       %lld samples, %.1f%% of documents truncated (%.1f%% of tokens lost), %.1f%% "
                   "of positions padding\n",
                   seqLen, (long long)s.paddedSamples, 100 * s.truncatedShare, 100 * s.truncatedTokenShare,
                   100 * s.paddingShare));
    con.print(strf("  cache                %s\n", cache.path().c_str()));
    return 0;
}

} // namespace mm::data
