#include "data/token_cache.h"

#include "common/error.h"
#include "common/fs.h"
#include "data/jsonl.h"
#include "data/token_cache_header.h"
#include "text/chat_template.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mm::data {

namespace {

namespace stdfs = std::filesystem;

// A batch is parsed on the calling thread (so errors name the right line) and
// tokenized on worker threads. Bounding it by bytes keeps memory flat on GB files
// and sets the progress-callback granularity.
constexpr int64_t kBatchBytes = 8 << 20;
constexpr size_t kBatchDocs = 16384;
// A temp file untouched for this long belongs to a build that died.
constexpr time_t kStaleTempSeconds = 600;

std::string errnoText() { return std::strerror(errno); }

const char* formatName(CacheFormat f) { return f == CacheFormat::Pretrain ? "pretrain" : "sft"; }

// One document before tokenization: text pieces and whether their tokens are
// loss targets. Splitting the text at mask boundaries and encoding each piece on
// its own makes the mask exact; the price is that BPE cannot merge across a
// boundary, so ids may differ from encoding the whole string at once (decode of
// the ids still gives the exact text back).
struct PendingDoc {
    std::vector<std::pair<std::string, uint8_t>> pieces;
};

struct EncodedDoc {
    std::vector<uint16_t> tokens;
    std::vector<uint8_t> mask;
    int badId = -1; ///< first id that does not fit uint16, or -1
};

void splitConversation(const text::Tokenizer& tok, const std::vector<text::Message>& msgs, PendingDoc& doc) {
    // Render the whole conversation once, so the document is exactly what the
    // chat template produces (whatever it adds around turns), then carve out each
    // assistant answer and its closing <|im_end|> as targets. Searching forward
    // from the previous answer keeps the turns in order.
    const std::string rendered = tok.renderChat(msgs, false);
    const std::string& header = text::generationHeader();
    const std::string& imEnd = text::specialTokenStrings()[text::special::kImEnd];
    size_t cursor = 0;
    for (const auto& m : msgs) {
        if (m.role != "assistant")
            continue;
        const std::string needle = header + m.content + imEnd;
        size_t pos = rendered.find(needle, cursor);
        if (pos == std::string::npos)
            throw Error("chat template does not render assistant turns as \"" + header +
                        "<content><|im_end|>\"; the SFT cache cannot mark targets");
        size_t contentPos = pos + header.size();
        doc.pieces.emplace_back(rendered.substr(cursor, contentPos - cursor), 0);
        doc.pieces.emplace_back(m.content, 1);
        doc.pieces.emplace_back(imEnd, 1);
        cursor = contentPos + m.content.size() + imEnd.size();
    }
    if (cursor < rendered.size())
        doc.pieces.emplace_back(rendered.substr(cursor), 0);
}

void encodeDoc(const text::Tokenizer& tok, const PendingDoc& in, bool appendImEnd, EncodedDoc& out) {
    out.tokens.clear();
    out.mask.clear();
    out.badId = -1;
    auto push = [&out](int id, uint8_t m) {
        if ((id < 0 || id > 65535) && out.badId < 0)
            out.badId = id;
        out.tokens.push_back(static_cast<uint16_t>(id));
        out.mask.push_back(m);
    };
    for (const auto& [textPiece, target] : in.pieces) {
        if (textPiece.empty())
            continue;
        for (int id : tok.encode(textPiece))
            push(id, target);
    }
    if (appendImEnd)
        push(text::special::kImEnd, 1);
}

// Tokenizes a batch on up to `threads` threads; documents are independent and
// Tokenizer::encode is thread-safe. Results keep the batch order.
void encodeBatch(const text::Tokenizer& tok, const std::vector<PendingDoc>& batch, bool appendImEnd,
                 std::vector<EncodedDoc>& out, unsigned threads) {
    out.resize(batch.size());
    if (threads <= 1 || batch.size() < 64) {
        for (size_t i = 0; i < batch.size(); ++i)
            encodeDoc(tok, batch[i], appendImEnd, out[i]);
        return;
    }
    std::atomic<size_t> nextDoc{0};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    auto work = [&] {
        try {
            for (size_t i; !failed && (i = nextDoc.fetch_add(1)) < batch.size();)
                encodeDoc(tok, batch[i], appendImEnd, out[i]);
        } catch (...) {
            if (!failed.exchange(true))
                error = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& th : pool)
        th.join();
    if (error)
        std::rethrow_exception(error);
}

// A file being written; unlinked on destruction unless released (renamed).
class TempFile {
public:
    explicit TempFile(std::string path) : m_path(std::move(path)) {
        m_fp = std::fopen(m_path.c_str(), "w+b");
        if (!m_fp)
            throw IoError("cannot write token cache " + m_path + ": " + errnoText() +
                          " (is the cache directory writable?)");
        // Large stdio buffer: tokens arrive a few KB at a time.
        std::setvbuf(m_fp, nullptr, _IOFBF, 1 << 20);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (m_fp)
            std::fclose(m_fp);
        if (!m_released)
            ::unlink(m_path.c_str());
    }
    void write(const void* data, size_t n) {
        if (n && std::fwrite(data, 1, n, m_fp) != n)
            throw IoError("cannot write token cache " + m_path + ": " + errnoText() + " (disk full?)");
    }
    void flush() {
        if (std::fflush(m_fp) != 0)
            throw IoError("cannot write token cache " + m_path + ": " + errnoText() + " (disk full?)");
    }
    void seek(int64_t pos) {
        flush();
        if (std::fseek(m_fp, static_cast<long>(pos), SEEK_SET) != 0)
            throw IoError("cannot seek in " + m_path + ": " + errnoText());
    }
    /// Flushes, fsyncs and closes; the file stays until release() or destruction.
    void close() {
        flush();
        if (::fsync(::fileno(m_fp)) != 0)
            throw IoError("cannot flush token cache " + m_path + ": " + errnoText() + " (disk full?)");
        FILE* fp = m_fp;
        m_fp = nullptr;
        if (std::fclose(fp) != 0)
            throw IoError("cannot close token cache " + m_path + ": " + errnoText());
    }
    FILE* handle() { return m_fp; }
    const std::string& path() const { return m_path; }
    void release() { m_released = true; }

private:
    std::string m_path;
    FILE* m_fp = nullptr;
    bool m_released = false;
};

} // namespace

// ---------------------------------------------------------------------------

TokenCache::TokenCache(TokenCache&& o) noexcept { *this = std::move(o); }

TokenCache& TokenCache::operator=(TokenCache&& o) noexcept {
    if (this != &o) {
        unmap();
        m_path = std::move(o.m_path);
        m_key = std::move(o.m_key);
        m_map = std::exchange(o.m_map, nullptr);
        m_mapSize = std::exchange(o.m_mapSize, 0);
        m_docs = std::exchange(o.m_docs, 0);
        m_tokens = std::exchange(o.m_tokens, 0);
        m_badLines = std::exchange(o.m_badLines, 0);
        m_offsets = std::exchange(o.m_offsets, nullptr);
        m_tok = std::exchange(o.m_tok, nullptr);
        m_mask = std::exchange(o.m_mask, nullptr);
    }
    return *this;
}

TokenCache::~TokenCache() { unmap(); }

void TokenCache::unmap() {
    if (m_map)
        ::munmap(m_map, m_mapSize);
    m_map = nullptr;
    m_mapSize = 0;
    m_offsets = nullptr;
    m_tok = nullptr;
    m_mask = nullptr;
}

namespace {

// Maps `path` and validates it. Returns false with `why` set when the file is not
// a valid cache; throws IoError when it cannot be read at all.
bool tryMap(const std::string& path, void*& map, size_t& size, std::string& why) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw IoError("cannot read token cache " + path + ": " + errnoText());
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        std::string err = errnoText();
        ::close(fd);
        throw IoError("cannot read token cache " + path + ": " + err);
    }
    size = static_cast<size_t>(st.st_size);
    if (size < kCacheHeaderSize) {
        ::close(fd);
        why = "file is shorter than the header";
        return false;
    }
    // MAP_SHARED + read-only: pages come from the page cache and are shared by
    // every process (e.g. data-loader workers) reading the same cache.
    map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) {
        map = nullptr;
        throw IoError("cannot map token cache " + path + ": " + errnoText());
    }
    why = validateCacheFile(map, size);
    if (!why.empty()) {
        ::munmap(map, size);
        map = nullptr;
        return false;
    }
    return true;
}

} // namespace

TokenCache TokenCache::open(const std::string& cachePath) {
    void* map = nullptr;
    size_t size = 0;
    std::string why;
    if (!tryMap(cachePath, map, size, why))
        throw InputError(cachePath + " is not a valid token cache (" + why +
                         "); delete it and it will be rebuilt from the data file");
    const CacheSections s = cacheSections(map);
    TokenCache c;
    c.m_path = cachePath;
    c.m_key = s.header.key;
    c.m_map = map;
    c.m_mapSize = size;
    c.m_docs = s.header.documents;
    c.m_tokens = s.header.tokens;
    c.m_badLines = s.header.badLines;
    c.m_tok = s.tokens;
    c.m_offsets = s.offsets;
    c.m_mask = s.mask;
    return c;
}

TokenCache TokenCache::openOrBuild(const std::string& dataPath, const text::Tokenizer& tok, const std::string& cacheDir,
                                   const CacheBuildOptions& opts) {
    struct stat st {};
    if (::stat(dataPath.c_str(), &st) != 0)
        throw IoError("cannot open data file " + dataPath + ": " + errnoText() + "; check --data_path");
    // tokens are stored as uint16; refuse before spending an hour tokenizing.
    if (tok.vocabSize() > 65536)
        throw InputError("tokenizer " + tok.path() + " has " + std::to_string(tok.vocabSize()) +
                         " tokens; the token cache stores ids as uint16 and supports at most 65536");

    // The chat template's default system prompt changes what SFT documents
    // hold, so it is part of the key (empty, and so unchanged, for our own tokenizers).
    const std::string system = tok.defaultSystemPrompt().empty() ? "" : "|sys:" + tok.defaultSystemPrompt();
    const std::string key =
        fs::hashHex(fs::fileStamp(dataPath) + "|" + tok.fingerprint() + system + "|" + formatName(opts.format) + "|v1");
    const std::string name = "tok_" + key + ".bin";
    const std::string cachePath = (stdfs::path(cacheDir) / name).string();

    if (fs::isFile(cachePath)) {
        try {
            TokenCache cached = open(cachePath);
            if (cached.m_key == key)
                return cached;
        } catch (const Error&) {
            // Any invalid or unreadable file (killed copy, older version,
            // corruption) is rebuilt over; the rename below replaces it atomically.
        }
    }

    std::error_code ec;
    stdfs::create_directories(cacheDir, ec);
    if (ec)
        throw IoError("cannot create cache directory " + cacheDir + ": " + ec.message());
    // Temp files of builds that were killed (see fs::removeStaleTemps).
    fs::removeStaleTemps(cacheDir, name, kStaleTempSeconds);

    const bool sft = opts.format == CacheFormat::Sft;
    const std::string tmpPath = cachePath + ".tmp." + std::to_string(::getpid());
    TempFile out(tmpPath);
    // The mask is only known while streaming, like the tokens; it goes to a side
    // file and is appended after the offsets at the end.
    std::unique_ptr<TempFile> maskOut;
    if (sft)
        maskOut = std::make_unique<TempFile>(tmpPath + ".mask");

    const char zeros[kCacheHeaderSize] = {};
    out.write(zeros, kCacheHeaderSize); // placeholder, rewritten last

    JsonlReader reader(dataPath, opts.skipBadLines);
    std::vector<uint64_t> offsets{0};
    uint64_t totalTokens = 0;
    const unsigned threads = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));

    std::vector<PendingDoc> batch;
    std::vector<EncodedDoc> encoded;
    nlohmann::json record;
    int64_t nextProgress = 0;
    bool more = true;
    while (more) {
        batch.clear();
        int64_t batchBytes = 0;
        const int64_t batchStart = reader.bytesRead();
        while (batch.size() < kBatchDocs && batchBytes < kBatchBytes) {
            if (!reader.next(record)) {
                more = false;
                break;
            }
            PendingDoc doc;
            try {
                if (sft)
                    splitConversation(tok, conversation(record, reader.where()), doc);
                else
                    doc.pieces.emplace_back(pretrainText(record, reader.where()), 1);
            } catch (const InputError& e) {
                reader.reject(e.what());
                continue;
            }
            batch.push_back(std::move(doc));
            batchBytes = reader.bytesRead() - batchStart;
        }
        encodeBatch(tok, batch, !sft, encoded, threads);
        for (size_t i = 0; i < batch.size(); ++i) {
            const EncodedDoc& d = encoded[i];
            if (d.badId >= 0)
                throw InputError("token id " + std::to_string(d.badId) + " from " + tok.path() +
                                 " does not fit the uint16 token cache (at most 65536 tokens)");
            out.write(d.tokens.data(), d.tokens.size() * sizeof(uint16_t));
            if (maskOut)
                maskOut->write(d.mask.data(), d.mask.size());
            totalTokens += d.tokens.size();
            offsets.push_back(totalTokens);
        }
        if (opts.progress && (reader.bytesRead() >= nextProgress || !more)) {
            opts.progress(reader.bytesRead(), reader.fileSize());
            nextProgress = reader.bytesRead() + (4 << 20);
        }
    }

    const int64_t docs = static_cast<int64_t>(offsets.size()) - 1;
    if (docs == 0 || totalTokens == 0) {
        std::string msg = dataPath + ": no usable records";
        if (reader.badLines() > 0)
            msg += " (" + std::to_string(reader.badLines()) +
                   " bad lines skipped; first: " + reader.badLineSamples().front() + ")";
        else
            msg += std::string(" (expected one ") + (sft ? "{\"conversations\": [...]}" : "{\"text\": \"...\"}") +
                   " object per line)";
        throw InputError(msg);
    }

    CacheHeader h{};
    std::memcpy(h.magic, kCacheMagic, sizeof kCacheMagic);
    h.version = kCacheVersion;
    h.flags = sft ? kCacheHasMask : 0;
    h.documents = docs;
    h.tokens = static_cast<int64_t>(totalTokens);
    h.badLines = reader.badLines();
    h.format = static_cast<uint32_t>(opts.format);
    std::snprintf(h.key, sizeof h.key, "%s", key.c_str());
    h.tokensOffset = kCacheHeaderSize;
    uint64_t pos = kCacheHeaderSize + 2 * totalTokens;
    const uint64_t pad = (8 - pos % 8) % 8; // offsets must be 8-byte aligned in the mapping
    out.write(zeros, pad);
    pos += pad;
    h.offsetsOffset = pos;
    out.write(offsets.data(), offsets.size() * sizeof(uint64_t));
    pos += offsets.size() * sizeof(uint64_t);
    if (maskOut) {
        h.maskOffset = pos;
        maskOut->seek(0);
        std::vector<char> buf(1 << 20);
        size_t n;
        while ((n = std::fread(buf.data(), 1, buf.size(), maskOut->handle())) > 0)
            out.write(buf.data(), n);
        if (std::ferror(maskOut->handle()))
            throw IoError("cannot read back " + maskOut->path() + ": " + errnoText());
        pos += totalTokens;
    }
    h.fileSize = pos;
    // The header goes in last, so a file cut short anywhere has no valid header.
    out.seek(0);
    out.write(&h, sizeof h);
    out.close();
    if (::rename(tmpPath.c_str(), cachePath.c_str()) != 0)
        throw IoError("cannot rename " + tmpPath + " to " + cachePath + ": " + errnoText());
    out.release();
    return open(cachePath);
}

} // namespace mm::data
