#include "io/zip_reader.h"

#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mm::io {

// ---------------------------------------------------------------- sources --

struct ZipReader::Source {
    virtual ~Source() = default;
    virtual uint64_t size() const = 0;
    /// Reads exactly n bytes at off (the caller checked the range).
    virtual void readAt(uint64_t off, size_t n, char* dst) const = 0;
};

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50;
constexpr uint32_t kLocator64Sig = 0x07064b50;
constexpr size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kEnd64Size = 56, kLocator64Size = 20;

std::string errnoText() { return std::strerror(errno); }

class MemorySource : public ZipReader::Source {
public:
    explicit MemorySource(std::string bytes) : m_bytes(std::move(bytes)) {}
    uint64_t size() const override { return m_bytes.size(); }
    void readAt(uint64_t off, size_t n, char* dst) const override {
        if (n)
            std::memcpy(dst, m_bytes.data() + off, n);
    }

private:
    std::string m_bytes;
};

class FileSource : public ZipReader::Source {
public:
    explicit FileSource(const std::string& path) : m_path(path) {
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                throw InputError(path + ": no such file");
            throw IoError("cannot open " + path + ": " + errnoText());
        }
        struct stat st {};
        if (::fstat(m_fd, &st) != 0) {
            const std::string why = errnoText();
            ::close(m_fd);
            throw IoError("cannot stat " + path + ": " + why);
        }
        if (!S_ISREG(st.st_mode)) {
            ::close(m_fd);
            throw InputError(path + ": not a regular file");
        }
        m_size = uint64_t(st.st_size);
    }
    ~FileSource() override { ::close(m_fd); }
    uint64_t size() const override { return m_size; }
    void readAt(uint64_t off, size_t n, char* dst) const override {
        while (n > 0) {
            const ssize_t got = ::pread(m_fd, dst, n, off_t(off));
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                throw IoError("cannot read " + m_path + ": " + errnoText());
            }
            if (got == 0)
                throw IoError("cannot read " + m_path + ": it shrank while being read");
            dst += got;
            off += uint64_t(got);
            n -= size_t(got);
        }
    }

private:
    std::string m_path;
    int m_fd = -1;
    uint64_t m_size = 0;
};

uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char* p) {
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
uint64_t le64(const unsigned char* p) { return uint64_t(le32(p)) | (uint64_t(le32(p + 4)) << 32); }

/// True when [off, off + n) lies inside a file of `size` bytes.
bool inRange(uint64_t off, uint64_t n, uint64_t size) { return off <= size && n <= size - off; }

struct CrcTables {
    uint32_t t[8][256];
    CrcTables() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
            t[0][i] = c;
        }
        for (int k = 1; k < 8; ++k)
            for (uint32_t i = 0; i < 256; ++i)
                t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
};

const CrcTables& crcTables() {
    static const CrcTables tables;
    return tables;
}

void put16(std::string& s, uint16_t v) {
    s.push_back(char(v & 0xff));
    s.push_back(char(v >> 8));
}
void put32(std::string& s, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        s.push_back(char((v >> (8 * i)) & 0xff));
}

} // namespace

uint32_t crc32(const void* data, size_t n, uint32_t crc) {
    const CrcTables& tb = crcTables();
    const auto* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    while (n >= 8) {
        const uint32_t one = le32(p) ^ crc;
        const uint32_t two = le32(p + 4);
        crc = tb.t[7][one & 0xff] ^ tb.t[6][(one >> 8) & 0xff] ^ tb.t[5][(one >> 16) & 0xff] ^ tb.t[4][one >> 24] ^
              tb.t[3][two & 0xff] ^ tb.t[2][(two >> 8) & 0xff] ^ tb.t[1][(two >> 16) & 0xff] ^ tb.t[0][two >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ tb.t[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

// ----------------------------------------------------------------- reader --

ZipReader::ZipReader(std::unique_ptr<Source> src, std::string name) : m_src(std::move(src)), m_name(std::move(name)) {}
ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

ZipReader ZipReader::openFile(const std::string& path) {
    ZipReader z(std::make_unique<FileSource>(path), path);
    z.parseDirectory();
    return z;
}

ZipReader ZipReader::fromMemory(std::string bytes, const std::string& nameForErrors) {
    ZipReader z(std::make_unique<MemorySource>(std::move(bytes)), nameForErrors);
    z.parseDirectory();
    return z;
}

bool ZipReader::looksLikeZip(const std::string& head) {
    // A local file header, or the end record of an empty archive.
    return head.size() >= 4 && head[0] == 'P' && head[1] == 'K' &&
           ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
}

void ZipReader::parseDirectory() {
    const uint64_t size = m_src->size();
    auto corrupt = [&](const std::string& what) {
        return InputError(m_name + ": corrupt zip archive (" + what + "); re-save it with torch.save");
    };
    const std::string truncated =
        m_name + ": truncated zip archive (central directory missing); re-save it with torch.save";
    if (size < kEndSize)
        throw InputError(truncated);

    // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB.
    const uint64_t tailLen = std::min<uint64_t>(size, kEndSize + 0xFFFF);
    std::string tail(size_t(tailLen), '\0');
    m_src->readAt(size - tailLen, size_t(tailLen), &tail[0]);
    const auto* t = reinterpret_cast<const unsigned char*>(tail.data());
    int64_t endPos = -1; // within tail
    for (int64_t i = int64_t(tailLen) - int64_t(kEndSize); i >= 0; --i) {
        if (le32(t + i) == kEndSig && uint64_t(i) + kEndSize + le16(t + i + 20) <= tailLen) {
            endPos = i;
            break;
        }
    }
    if (endPos < 0)
        throw InputError(truncated);
    const unsigned char* e = t + endPos;
    const uint64_t endOffset = size - tailLen + uint64_t(endPos);
    if (le16(e + 4) != 0 || le16(e + 6) != 0)
        throw InputError(m_name + ": multi-volume zip archives are not supported; re-save it with torch.save");
    uint64_t count = le16(e + 10);
    uint64_t cdSize = le32(e + 12);
    uint64_t cdOffset = le32(e + 16);
    uint64_t cdLimit = endOffset; // the directory ends before the end records

    // ZIP64: a locator just before the end record points at the ZIP64 end record.
    if (endOffset >= kLocator64Size) {
        unsigned char loc[kLocator64Size];
        m_src->readAt(endOffset - kLocator64Size, kLocator64Size, reinterpret_cast<char*>(loc));
        if (le32(loc) == kLocator64Sig) {
            const uint64_t off64 = le64(loc + 8);
            if (!inRange(off64, kEnd64Size, endOffset - kLocator64Size))
                throw corrupt("ZIP64 end record out of bounds");
            unsigned char r[kEnd64Size];
            m_src->readAt(off64, kEnd64Size, reinterpret_cast<char*>(r));
            if (le32(r) != kEnd64Sig)
                throw corrupt("bad ZIP64 end record signature");
            if (le32(r + 16) != 0 || le32(r + 20) != 0)
                throw InputError(m_name + ": multi-volume zip archives are not supported; re-save it with torch.save");
            count = le64(r + 32);
            cdSize = le64(r + 40);
            cdOffset = le64(r + 48);
            cdLimit = off64;
        }
    }
    if (!inRange(cdOffset, cdSize, cdLimit))
        throw InputError(truncated);
    if (count > cdSize / kCentralSize)
        throw corrupt("the directory is too small for " + std::to_string(count) + " entries");

    std::string cd(size_t(cdSize), '\0');
    m_src->readAt(cdOffset, size_t(cdSize), &cd[0]);
    const auto* c = reinterpret_cast<const unsigned char*>(cd.data());
    uint64_t pos = 0;
    m_entries.reserve(size_t(count));
    for (uint64_t i = 0; i < count; ++i) {
        if (!inRange(pos, kCentralSize, cdSize) || le32(c + pos) != kCentralSig)
            throw corrupt("bad central directory entry " + std::to_string(i));
        const unsigned char* h = c + pos;
        ZipEntry en;
        en.flags = le16(h + 8);
        en.method = le16(h + 10);
        en.crc32 = le32(h + 16);
        en.compressedSize = le32(h + 20);
        en.size = le32(h + 24);
        const uint16_t nameLen = le16(h + 28), extraLen = le16(h + 30), commentLen = le16(h + 32);
        const uint16_t disk = le16(h + 34);
        en.localHeaderOffset = le32(h + 42);
        const uint64_t varLen = uint64_t(nameLen) + extraLen + commentLen;
        if (!inRange(pos + kCentralSize, varLen, cdSize))
            throw corrupt("central directory entry " + std::to_string(i) + " runs past the directory");
        en.name.assign(reinterpret_cast<const char*>(h + kCentralSize), nameLen);

        // ZIP64 extended information: the saturated fields, in this order.
        const unsigned char* x = h + kCentralSize + nameLen;
        size_t xp = 0;
        while (xp + 4 <= extraLen) {
            const uint16_t id = le16(x + xp), len = le16(x + xp + 2);
            if (xp + 4 + len > extraLen)
                throw corrupt("extra field of '" + en.name + "' runs past its entry");
            if (id == 0x0001) {
                const unsigned char* f = x + xp + 4;
                size_t fp = 0;
                auto take64 = [&](uint64_t& v) {
                    if (fp + 8 > len)
                        throw corrupt("short ZIP64 field of '" + en.name + "'");
                    v = le64(f + fp);
                    fp += 8;
                };
                if (en.size == 0xFFFFFFFFu)
                    take64(en.size);
                if (en.compressedSize == 0xFFFFFFFFu)
                    take64(en.compressedSize);
                if (en.localHeaderOffset == 0xFFFFFFFFu)
                    take64(en.localHeaderOffset);
            }
            xp += 4 + size_t(len);
        }
        if (disk != 0 && disk != 0xFFFF)
            throw InputError(m_name + ": multi-volume zip archives are not supported; re-save it with torch.save");
        if (!m_index.emplace(en.name, m_entries.size()).second)
            throw corrupt("entry '" + en.name + "' appears twice");
        m_entries.push_back(std::move(en));
        pos += kCentralSize + varLen;
    }
}

const ZipEntry* ZipReader::find(const std::string& name) const {
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

std::string ZipReader::read(const std::string& name) const {
    const ZipEntry* e = find(name);
    if (!e)
        throw InputError(m_name + ": the archive has no entry '" + name + "'; re-save it with torch.save");
    return read(*e);
}

std::string ZipReader::read(const ZipEntry& en) const {
    const uint64_t size = m_src->size();
    auto corrupt = [&](const std::string& what) {
        return InputError(m_name + ": corrupt zip entry '" + en.name + "' (" + what + "); re-save it with torch.save");
    };
    if (en.flags & 1)
        throw InputError(m_name + ": zip entry '" + en.name + "' is encrypted; PyTorch never encrypts checkpoints");
    if (en.method == 8)
        throw InputError(m_name + ": zip entry '" + en.name +
                         "' is DEFLATE-compressed; PyTorch writes checkpoints uncompressed, so this archive was "
                         "repacked by another tool (re-save it with torch.save, or re-zip with 'zip -0')");
    if (en.method != 0)
        throw InputError(m_name + ": zip entry '" + en.name + "' uses compression method " + std::to_string(en.method) +
                         "; only stored (uncompressed) entries are supported");
    if (en.compressedSize != en.size)
        throw corrupt("stored entry with different compressed and uncompressed sizes");
    if (!inRange(en.localHeaderOffset, kLocalSize, size))
        throw corrupt("local header out of bounds; the file is truncated");
    unsigned char h[kLocalSize];
    m_src->readAt(en.localHeaderOffset, kLocalSize, reinterpret_cast<char*>(h));
    if (le32(h) != kLocalSig)
        throw corrupt("bad local header signature");
    const uint16_t nameLen = le16(h + 26), extraLen = le16(h + 28);
    const uint64_t nameOff = en.localHeaderOffset + kLocalSize;
    if (!inRange(nameOff, uint64_t(nameLen) + extraLen, size))
        throw corrupt("local header out of bounds; the file is truncated");
    if (nameLen != en.name.size())
        throw corrupt("local and central names differ");
    std::string localName(nameLen, '\0');
    m_src->readAt(nameOff, nameLen, &localName[0]);
    if (localName != en.name)
        throw corrupt("local and central names differ");
    const uint64_t dataOff = nameOff + nameLen + extraLen;
    if (!inRange(dataOff, en.size, size))
        throw corrupt("its data runs past the end of the file; the file is truncated");
    std::string out(size_t(en.size), '\0');
    m_src->readAt(dataOff, size_t(en.size), out.empty() ? nullptr : &out[0]);
    // torch.save may skip the checksum (serialization config compute_crc32=False): it then records 0.
    if (en.crc32 != 0 && crc32(out.data(), out.size()) != en.crc32)
        throw corrupt("CRC-32 mismatch: the data is damaged");
    return out;
}

// ---------------------------------------------------------------- builder --

std::string buildStoredZip(const std::vector<std::pair<std::string, std::string>>& entries, uint32_t alignment) {
    std::string out, cd;
    for (const auto& [name, data] : entries) {
        if (data.size() >= 0xFFFFFFFFu || out.size() >= 0xFFFFFFFFu || name.size() > 0xFFFF)
            throw Error("buildStoredZip: entry too large for a plain zip");
        const uint32_t crc = crc32(data.data(), data.size());
        const uint32_t offset = uint32_t(out.size());
        // Extra field: 4 bytes of header + padding up to the alignment.
        size_t pad = 0;
        if (alignment > 0) {
            const size_t dataStart = out.size() + 30 + name.size() + 4;
            pad = (alignment - dataStart % alignment) % alignment;
        }
        put32(out, kLocalSig);
        put16(out, 20);   // version needed
        put16(out, 0);    // flags
        put16(out, 0);    // stored
        put16(out, 0);    // time
        put16(out, 0x21); // date: 1980-01-01
        put32(out, crc);
        put32(out, uint32_t(data.size()));
        put32(out, uint32_t(data.size()));
        put16(out, uint16_t(name.size()));
        put16(out, uint16_t(alignment > 0 ? 4 + pad : 0));
        out += name;
        if (alignment > 0) {
            put16(out, 0x4246); // "FB"
            put16(out, uint16_t(pad));
            out.append(pad, 'Z');
        }
        out += data;

        put32(cd, kCentralSig);
        put16(cd, 20); // made by
        put16(cd, 20); // needed
        put16(cd, 0);
        put16(cd, 0);
        put16(cd, 0);
        put16(cd, 0x21);
        put32(cd, crc);
        put32(cd, uint32_t(data.size()));
        put32(cd, uint32_t(data.size()));
        put16(cd, uint16_t(name.size()));
        put16(cd, 0); // extra
        put16(cd, 0); // comment
        put16(cd, 0); // disk
        put16(cd, 0); // internal attributes
        put32(cd, 0); // external attributes
        put32(cd, offset);
        cd += name;
    }
    if (entries.size() > 0xFFFF || out.size() + cd.size() >= 0xFFFFFFFFu)
        throw Error("buildStoredZip: archive too large for a plain zip");
    const uint32_t cdOffset = uint32_t(out.size());
    out += cd;
    put32(out, kEndSig);
    put16(out, 0);
    put16(out, 0);
    put16(out, uint16_t(entries.size()));
    put16(out, uint16_t(entries.size()));
    put32(out, uint32_t(cd.size()));
    put32(out, cdOffset);
    put16(out, 0);
    return out;
}

} // namespace mm::io
