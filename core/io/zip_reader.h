#pragma once
// A small, bounds-checked reader of ZIP archives as PyTorch writes them
// (torch.save's default format since 1.6): entries STORED (uncompressed),
// ZIP64 records for large files, every entry under one top-level folder
// ("archive/" or the file's stem). Compressed or encrypted entries are refused
// with a clear message; CRC-32s are checked when the writer recorded them.
// Torch-free. Every offset read from the file is checked: hostile archives
// throw InputError, they never read out of bounds.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mm::io {

struct ZipEntry {
    std::string name;
    uint64_t size = 0; // uncompressed
    uint64_t compressedSize = 0;
    uint64_t localHeaderOffset = 0;
    uint32_t crc32 = 0;
    uint16_t method = 0; // 0 stored, 8 deflate
    uint16_t flags = 0;
};

class ZipReader {
public:
    /// Opens an archive on disk (reads only the directory; entries are read on
    /// demand). Throws InputError (no such file, not a zip, truncated, corrupt)
    /// or IoError (unreadable), naming the file.
    static ZipReader openFile(const std::string& path);
    /// An archive held in memory; `nameForErrors` stands for the file in messages.
    static ZipReader fromMemory(std::string bytes, const std::string& nameForErrors);

    ZipReader(ZipReader&&) noexcept;
    ZipReader& operator=(ZipReader&&) noexcept;
    ~ZipReader();

    /// The file name used in messages.
    const std::string& name() const { return m_name; }
    /// Entries in central-directory order.
    const std::vector<ZipEntry>& entries() const { return m_entries; }
    /// The entry called `name` exactly, or nullptr.
    const ZipEntry* find(const std::string& name) const;
    bool has(const std::string& name) const { return find(name) != nullptr; }

    /// The bytes of entry `name`. Throws InputError when it is missing,
    /// compressed, encrypted, out of the file's bounds or fails its CRC.
    std::string read(const std::string& name) const;
    std::string read(const ZipEntry& entry) const;

    /// True when `head` (the first bytes of a file) starts like a zip archive.
    static bool looksLikeZip(const std::string& head);

    struct Source;

private:
    ZipReader(std::unique_ptr<Source> src, std::string name);
    void parseDirectory();

    std::unique_ptr<Source> m_src;
    std::string m_name;
    std::vector<ZipEntry> m_entries;
    std::unordered_map<std::string, size_t> m_index;
};

/// A ZIP archive of STORED entries, in the given order (names as given): what
/// torch.save writes (io/torch_save.h), and archives for tests and fuzzing.
/// `alignment` > 0 pads each local header's extra field (id "FB", as
/// PyTorch's writer does) so that every entry's data starts at a multiple of it.
std::string buildStoredZip(const std::vector<std::pair<std::string, std::string>>& entries, uint32_t alignment = 0);

/// CRC-32 (IEEE, as in zip and gzip) of `n` bytes, continuing from `crc`.
uint32_t crc32(const void* data, size_t n, uint32_t crc = 0);

} // namespace mm::io
