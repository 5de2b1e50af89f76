#include "io/torch_save.h"

#include "common/error.h"
#include "common/fs.h"
#include "io/zip_reader.h"

#include <climits>
#include <cstdint>
#include <filesystem>
#include <map>

namespace mm::io {

namespace {

const char* storageClass(DType d) {
    switch (d) {
    case DType::F32: return "FloatStorage";
    case DType::F16: return "HalfStorage";
    case DType::BF16: return "BFloat16Storage";
    case DType::F64: return "DoubleStorage";
    case DType::I64: return "LongStorage";
    case DType::I32: return "IntStorage";
    case DType::I16: return "ShortStorage";
    case DType::I8: return "CharStorage";
    case DType::U8: return "ByteStorage";
    case DType::Bool: return "BoolStorage";
    }
    return "FloatStorage";
}

/// A protocol-2 pickle, built opcode by opcode.
class Pickle {
public:
    Pickle() { m_out += "\x80\x02"; }
    void unicode(const std::string& s) {
        m_out += 'X';
        u32(uint32_t(s.size()));
        m_out += s;
    }
    void integer(int64_t v) {
        if (v >= 0 && v < 256) {
            m_out += 'K';
            m_out += char(v);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            m_out += 'J';
            u32(uint32_t(int32_t(v)));
        } else {
            m_out += '\x8a'; // LONG1, 8 bytes little-endian two's complement
            m_out += char(8);
            for (int i = 0; i < 8; ++i)
                m_out += char(uint64_t(v) >> (8 * i));
        }
    }
    void global(const std::string& module, const std::string& name) { m_out += "c" + module + "\n" + name + "\n"; }
    void op(char c) { m_out += c; }
    std::string take() {
        m_out += '.';
        return std::move(m_out);
    }

private:
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i)
            m_out += char(v >> (8 * i));
    }
    std::string m_out;
};

} // namespace

std::string serializeTorchStateDict(const std::vector<RawTensor>& tensors, const std::string& archiveName) {
    Pickle p;
    p.op('}');                                      // EMPTY_DICT
    p.op('(');                                      // MARK for SETITEMS
    std::map<const std::string*, std::string> keys; // storage -> entry key
    std::vector<std::pair<std::string, std::string>> entries;
    std::vector<std::pair<std::string, const std::string*>> storages;
    for (const RawTensor& t : tensors) {
        if (!t.storage)
            throw Error("tensor " + t.name + " has no storage");
        checkExtent(t);
        auto it = keys.find(t.storage.get());
        if (it == keys.end()) {
            it = keys.emplace(t.storage.get(), std::to_string(keys.size())).first;
            storages.emplace_back(it->second, t.storage.get());
        }
        const int64_t elems = int64_t(t.storage->size() / dtypeSize(t.dtype));
        p.unicode(t.name);
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.op('('); // args of _rebuild_tensor_v2
        p.op('('); // persistent id ('storage', type, key, location, numel)
        p.unicode("storage");
        p.global("torch", storageClass(t.dtype));
        p.unicode(it->second);
        p.unicode("cpu");
        p.integer(elems);
        p.op('t');
        p.op('Q'); // BINPERSID
        p.integer(t.storageOffset);
        p.op('(');
        for (int64_t s : t.shape)
            p.integer(s);
        p.op('t');
        p.op('(');
        for (int64_t s : t.stride.empty() ? contiguousStrides(t.shape) : t.stride)
            p.integer(s);
        p.op('t');
        p.op('\x89'); // requires_grad False
        p.global("collections", "OrderedDict");
        p.op(')');
        p.op('R'); // backward_hooks = OrderedDict()
        p.op('t');
        p.op('R');
    }
    p.op('u'); // SETITEMS
    entries.emplace_back(archiveName + "/data.pkl", p.take());
    entries.emplace_back(archiveName + "/byteorder", "little");
    for (const auto& [key, bytes] : storages)
        entries.emplace_back(archiveName + "/data/" + key, *bytes);
    entries.emplace_back(archiveName + "/version", "3\n");
    return buildStoredZip(entries, 64);
}

void writeTorchStateDict(const std::string& path, const std::vector<RawTensor>& tensors) {
    std::string stem = std::filesystem::path(path).stem().string();
    if (stem.empty())
        stem = "archive";
    fs::writeFileAtomic(path, serializeTorchStateDict(tensors, stem));
}

} // namespace mm::io
