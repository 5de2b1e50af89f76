#include "io/safetensors.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace mm::io {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kMaxHeader = 100000000; // as the reference implementation
constexpr size_t kMaxDims = 64;

struct Entry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

const char* supportedList() { return "F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL"; }

/// Parses and validates the header against `dataSize` bytes of data.
std::vector<Entry> parseHeader(const std::string& file, const std::string& header, uint64_t dataSize,
                               std::map<std::string, std::string>* metadata) {
    auto bad = [&](const std::string& what) {
        return InputError(file + ": invalid safetensors header: " + what + "; re-export the file");
    };
    if (header.empty() || header[0] != '{')
        throw bad("it does not start with '{'");
    json j;
    try {
        j = json::parse(header);
    } catch (const json::exception& e) {
        throw bad(std::string("not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object())
        throw bad("not a JSON object");
    std::vector<Entry> entries;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        const json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object())
                throw bad("__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string())
                    throw bad("__metadata__ value '" + m.key() + "' is not a string");
                if (metadata)
                    (*metadata)[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string tn = "tensor '" + name + "'";
        if (!v.is_object())
            throw bad(tn + " is not an object");
        const auto dt = v.find("dtype");
        if (dt == v.end() || !dt->is_string())
            throw bad(tn + " has no dtype");
        Entry e;
        e.name = name;
        const std::string dtype = dt->get<std::string>();
        const auto d = dtypeFromName(dtype);
        if (!d)
            throw InputError(file + ": " + tn + " has dtype '" + dtype +
                             "', which MicroMind does not read (supported: " + supportedList() + ")");
        e.dtype = *d;
        const auto sh = v.find("shape");
        if (sh == v.end() || !sh->is_array())
            throw bad(tn + " has no shape array");
        if (sh->size() > kMaxDims)
            throw bad(tn + " has more than " + std::to_string(kMaxDims) + " dimensions");
        for (const json& s : *sh) {
            if (!s.is_number_unsigned() || s.get<uint64_t>() > uint64_t(INT64_MAX))
                throw bad(tn + " has a shape entry that is not a non-negative integer");
            e.shape.push_back(int64_t(s.get<uint64_t>()));
        }
        const auto off = v.find("data_offsets");
        if (off == v.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
            !(*off)[1].is_number_unsigned())
            throw bad(tn + " has no data_offsets [begin, end]");
        e.begin = (*off)[0].get<uint64_t>();
        e.end = (*off)[1].get<uint64_t>();
        if (e.end < e.begin)
            throw bad(tn + " has data_offsets that end before they begin");
        if (e.end > dataSize)
            throw InputError(file + ": " + tn + " lies past the end of the file (data_offsets end at " +
                             std::to_string(e.end) + ", the data holds " + std::to_string(dataSize) +
                             " bytes); the file is truncated");
        // shape x dtype size must equal the byte length.
        uint64_t bytes = dtypeSize(e.dtype);
        bool zero = false;
        for (int64_t s : e.shape)
            zero = zero || s == 0;
        if (zero) {
            bytes = 0;
        } else {
            for (int64_t s : e.shape)
                if (__builtin_mul_overflow(bytes, uint64_t(s), &bytes))
                    throw bad(tn + " has a shape whose size overflows 64 bits");
        }
        if (bytes > uint64_t(INT64_MAX))
            throw bad(tn + " is too large");
        if (bytes != e.end - e.begin)
            throw InputError(file + ": " + tn + " has shape and dtype " + dtype + " for " + std::to_string(bytes) +
                             " bytes, but data_offsets span " + std::to_string(e.end - e.begin) +
                             "; the file is damaged");
        entries.push_back(std::move(e));
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t at = 0;
    for (const Entry& e : entries) {
        if (e.begin < at)
            throw InputError(file + ": tensor '" + e.name +
                             "' overlaps the tensor before it in the data; the file "
                             "is damaged or hostile");
        if (e.begin > at)
            throw InputError(file + ": the data has a hole before tensor '" + e.name +
                             "' (bytes no tensor owns); the file is damaged or hostile");
        at = e.end;
    }
    if (at != dataSize)
        throw InputError(file + ": " + std::to_string(dataSize - at) +
                         " bytes at the end of the data belong to no tensor; the file is damaged or hostile");
    return entries;
}

uint64_t le64(const std::string& s) {
    uint64_t n = 0;
    for (int k = 0; k < 8; ++k)
        n |= uint64_t(static_cast<unsigned char>(s[size_t(k)])) << (8 * k);
    return n;
}

/// Reads a safetensors file from `read(offset, n)` of a source of `size` bytes.
template <class Read>
std::vector<RawTensor> readFrom(const std::string& file, uint64_t size, Read read,
                                std::map<std::string, std::string>* metadata) {
    if (size < 8)
        throw InputError(file + ": too short for a safetensors file (" + std::to_string(size) +
                         " bytes); the file is truncated");
    const uint64_t n = le64(read(0, 8));
    if (n > kMaxHeader)
        throw InputError(file + ": the safetensors header length " + std::to_string(n) +
                         " is beyond the 100 MB limit; this is not a safetensors file or it is damaged");
    if (n > size - 8)
        throw InputError(file + ": the safetensors header length " + std::to_string(n) + " exceeds the file size " +
                         std::to_string(size) + "; the file is truncated or not a safetensors file");
    const std::string header = read(8, size_t(n));
    const uint64_t dataStart = 8 + n;
    std::map<std::string, std::string> meta;
    const std::vector<Entry> entries = parseHeader(file, header, size - dataStart, &meta);
    if (metadata)
        *metadata = std::move(meta);
    std::vector<RawTensor> out;
    out.reserve(entries.size());
    for (const Entry& e : entries) {
        RawTensor t;
        t.name = e.name;
        t.dtype = e.dtype;
        t.shape = e.shape;
        t.stride = contiguousStrides(e.shape);
        t.storage = std::make_shared<const std::string>(read(dataStart + e.begin, size_t(e.end - e.begin)));
        out.push_back(std::move(t));
    }
    return out;
}

struct Prepared {
    std::string header; // length prefix + padded JSON
    std::vector<uint64_t> sizes;
};

Prepared prepare(const std::vector<RawTensor>& tensors, const std::map<std::string, std::string>& metadata) {
    json j = json::object();
    if (!metadata.empty()) {
        json m = json::object();
        for (const auto& [k, v] : metadata)
            m[k] = v;
        j["__metadata__"] = m;
    }
    Prepared p;
    uint64_t offset = 0;
    std::set<std::string> names;
    for (const RawTensor& t : tensors) {
        if (t.name == "__metadata__")
            throw InputError("cannot write a tensor named '__metadata__' to safetensors (the name is reserved)");
        if (!names.insert(t.name).second)
            throw InputError("cannot write safetensors: tensor '" + t.name + "' appears twice");
        checkExtent(t);
        const int64_t n = numel(t);
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(uint64_t(n), uint64_t(dtypeSize(t.dtype)), &bytes))
            throw InputError("cannot write safetensors: tensor '" + t.name + "' is too large");
        json info;
        info["dtype"] = dtypeName(t.dtype);
        info["shape"] = t.shape;
        info["data_offsets"] = {offset, offset + bytes};
        j[t.name] = info;
        offset += bytes;
        p.sizes.push_back(bytes);
    }
    std::string text;
    try {
        text = j.dump();
    } catch (const json::exception& e) {
        throw InputError(std::string("cannot write safetensors: a tensor name or metadata string is not valid "
                                     "UTF-8 (") +
                         e.what() + ")");
    }
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t n = text.size();
    for (int k = 0; k < 8; ++k)
        p.header.push_back(char((n >> (8 * k)) & 0xff));
    p.header += text;
    return p;
}

std::string tensorData(const RawTensor& t, uint64_t expect) {
    std::string b = contiguousBytes(t);
    if (b.size() != expect)
        throw InputError("cannot write safetensors: tensor '" + t.name + "' gave " + std::to_string(b.size()) +
                         " bytes, " + std::to_string(expect) + " expected");
    return b;
}

std::string errnoText() { return std::strerror(errno); }

} // namespace

std::vector<RawTensor> readSafetensors(const std::string& path, std::map<std::string, std::string>* metadata) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw InputError(path + ": no such file");
        throw IoError("cannot read " + path + ": " + errnoText());
    }
    if (!S_ISREG(st.st_mode))
        throw InputError(path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot open " + path + ": " + errnoText());
    const uint64_t size = uint64_t(st.st_size);
    auto read = [&](uint64_t off, size_t n) {
        std::string s(n, '\0');
        in.seekg(std::streamoff(off));
        if (n && !in.read(&s[0], std::streamsize(n)))
            throw IoError("cannot read " + path + " (it may have shrunk while being read)");
        return s;
    };
    return readFrom(path, size, read, metadata);
}

std::vector<RawTensor> readSafetensorsFromMemory(std::string bytes, const std::string& nameForErrors,
                                                 std::map<std::string, std::string>* metadata) {
    auto read = [&](uint64_t off, size_t n) { return bytes.substr(size_t(off), n); };
    return readFrom(nameForErrors, bytes.size(), read, metadata);
}

std::string serializeSafetensors(const std::vector<RawTensor>& tensors,
                                 const std::map<std::string, std::string>& metadata) {
    const Prepared p = prepare(tensors, metadata);
    std::string out = p.header;
    for (size_t k = 0; k < tensors.size(); ++k)
        out += tensorData(tensors[k], p.sizes[k]);
    return out;
}

void writeSafetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    const Prepared p = prepare(tensors, metadata);
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw IoError("cannot write " + tmp + ": " + errnoText() + " (is the directory writable?)");
    auto writeAll = [&](const std::string& s) {
        const char* d = s.data();
        size_t left = s.size();
        while (left > 0) {
            const ssize_t w = ::write(fd, d, left);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                throw IoError("cannot write " + tmp + ": " + errnoText() + " (is the disk full?)");
            }
            d += w;
            left -= size_t(w);
        }
    };
    try {
        writeAll(p.header);
        for (size_t k = 0; k < tensors.size(); ++k)
            writeAll(tensorData(tensors[k], p.sizes[k]));
        if (::fsync(fd) != 0)
            throw IoError("cannot write " + tmp + ": " + errnoText());
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const std::string why = errnoText();
        ::unlink(tmp.c_str());
        throw IoError("cannot write " + tmp + ": " + why);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = errnoText();
        ::unlink(tmp.c_str());
        throw IoError("cannot rename " + tmp + " to " + path + ": " + why);
    }
}

std::map<std::string, std::string> readSafetensorsIndex(const std::string& dirOrIndex) {
    std::string index = dirOrIndex;
    std::error_code ec;
    if (stdfs::is_directory(dirOrIndex, ec))
        index = (stdfs::path(dirOrIndex) / "model.safetensors.index.json").string();
    const std::string text = detail::readFileBytes(index);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw InputError(index + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw InputError(index + ": no \"weight_map\" object; not a safetensors index");
    const stdfs::path dir = stdfs::path(index).parent_path();
    std::map<std::string, std::string> out;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
        if (!it.value().is_string())
            throw InputError(index + ": weight_map entry '" + it.key() + "' is not a file name");
        const std::string shard = it.value().get<std::string>();
        if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos ||
            shard.find('\\') != std::string::npos)
            throw InputError(index + ": weight_map entry '" + it.key() + "' names '" + shard +
                             "', not a plain file name in the index's folder");
        out[it.key()] = (dir / shard).string();
    }
    if (out.empty())
        throw InputError(index + ": the weight_map is empty");
    return out;
}

std::vector<RawTensor> readShardedSafetensors(const std::string& dirOrIndex,
                                              std::map<std::string, std::string>* metadata) {
    const std::map<std::string, std::string> where = readSafetensorsIndex(dirOrIndex);
    std::set<std::string> shards;
    for (const auto& [name, shard] : where)
        shards.insert(shard);
    std::vector<RawTensor> out;
    std::set<std::string> seen;
    for (const std::string& shard : shards) {
        std::map<std::string, std::string> meta;
        std::vector<RawTensor> ts = readSafetensors(shard, &meta);
        if (metadata)
            for (auto& [k, v] : meta)
                metadata->emplace(k, v);
        for (RawTensor& t : ts) {
            const auto it = where.find(t.name);
            if (it == where.end())
                throw InputError(shard + ": holds tensor '" + t.name + "', which the index does not list");
            if (it->second != shard)
                throw InputError(shard + ": holds tensor '" + t.name + "', which the index assigns to " + it->second);
            seen.insert(t.name);
            out.push_back(std::move(t));
        }
    }
    for (const auto& [name, shard] : where)
        if (!seen.count(name))
            throw InputError(shard + ": has no tensor '" + name + "', which the index assigns to it");
    return out;
}

} // namespace mm::io
