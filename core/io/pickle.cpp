// torch.save checkpoints: the zip archive (PyTorch >= 1.6) and the legacy
// pickle stream, read into a StateDictFile through the restricted unpickler
// (pickle_unpickler.cpp, pickle_opcodes.cpp).

#include "io/pickle.h"
#include "io/pickle_internal.h"

#include "common/error.h"
#include "io/zip_reader.h"

#include <map>
#include <memory>
#include <unordered_map>

namespace mm::io {

using namespace pickle_detail;

namespace {

// ------------------------------------------------------------- extraction --

struct Parsed {
    std::unique_ptr<Unpickler> main;
    Value* root = nullptr;
    std::string format;
};

const Value* dictGet(const Value* d, const std::string& key) {
    const Value* found = nullptr;
    for (size_t k = 0; k + 1 < d->items.size(); k += 2)
        if (d->items[k]->kind == Kind::Str && d->items[k]->s == key)
            found = d->items[k + 1]; // the last assignment wins, as in Python
    return found;
}

/// Picks the state dict out of the root and lists its tensors and skipped entries.
struct Picked {
    std::vector<std::pair<std::string, const Value*>> tensors;
    std::vector<std::string> skipped;
    std::string suffix;
};

Picked pickStateDict(const std::string& file, const Value* root) {
    if (root->kind != Kind::Dict)
        throw InputError(file + ": holds a " + std::string(kindName(root->kind)) +
                         ", not a state dict (a dict of tensors); save model.state_dict() with torch.save");
    auto hasTensor = [](const Value* d) {
        for (size_t k = 1; k < d->items.size(); k += 2)
            if (d->items[k]->kind == Kind::Tensor)
                return true;
        return false;
    };
    Picked out;
    const Value* sd = root;
    if (!hasTensor(root)) {
        for (const char* key : {"model", "state_dict", "model_state_dict"}) {
            const Value* v = dictGet(root, key);
            if (v && v->kind == Kind::Dict) {
                sd = v;
                out.suffix = std::string(":") + key;
                break;
            }
        }
    }
    // Python dict semantics: a repeated key keeps its first position and its last value.
    std::vector<std::pair<std::string, const Value*>> entries;
    std::unordered_map<std::string, size_t> where;
    for (size_t k = 0; k + 1 < sd->items.size(); k += 2) {
        const Value* key = sd->items[k];
        std::string name;
        if (key->kind == Kind::Str)
            name = key->s;
        else if (key->kind == Kind::Int)
            name = std::to_string(key->i);
        else {
            out.skipped.push_back("<" + std::string(kindName(key->kind)) + " key> (" +
                                  kindName(sd->items[k + 1]->kind) + ")");
            continue;
        }
        const auto [it, fresh] = where.emplace(name, entries.size());
        if (fresh)
            entries.emplace_back(name, sd->items[k + 1]);
        else
            entries[it->second].second = sd->items[k + 1];
    }
    for (const auto& [name, v] : entries) {
        if (v->kind == Kind::Tensor)
            out.tensors.emplace_back(name, v);
        else
            out.skipped.push_back(name + " (" + kindName(v->kind) + ")");
    }
    if (out.tensors.empty()) {
        std::string keys;
        size_t shown = 0;
        for (size_t k = 0; k + 1 < root->items.size() && shown < 8; k += 2, ++shown) {
            const Value* key = root->items[k];
            keys += (shown ? ", " : "") +
                    (key->kind == Kind::Str ? "'" + key->s + "'" : std::string("<") + kindName(key->kind) + ">");
        }
        throw InputError(file + ": holds no tensors" +
                         (keys.empty() ? std::string() : " (top-level keys: " + keys + ")") +
                         "; expected a state dict, or a checkpoint with one under \"model\", \"state_dict\" or "
                         "\"model_state_dict\"");
    }
    return out;
}

/// Builds the RawTensors; `storageBytes(ref)` returns the bytes of a root storage.
template <class Fetch>
StateDictFile assemble(const std::string& file, const Unpickler& up, const Picked& picked, const std::string& format,
                       Fetch storageBytes) {
    StateDictFile out;
    out.format = format + picked.suffix;
    out.skipped = picked.skipped;
    std::map<std::string, std::shared_ptr<const std::string>> cache; // by storage (or view) key
    for (const auto& [name, v] : picked.tensors) {
        const TensorRec& tr = up.tensors[size_t(v->i)];
        const StorageRef& sr = up.storages[tr.storage];
        const std::string cacheKey = sr.isView ? "view:" + sr.viewKey : "root:" + sr.key;
        auto it = cache.find(cacheKey);
        if (it == cache.end()) {
            std::shared_ptr<const std::string> bytes = storageBytes(sr);
            if (sr.isView) {
                const size_t es = dtypeSize(sr.dtype);
                int64_t begin = 0, len = 0;
                if (__builtin_mul_overflow(sr.viewOffset, int64_t(es), &begin) ||
                    __builtin_mul_overflow(sr.viewSize, int64_t(es), &len) || uint64_t(begin) > bytes->size() ||
                    uint64_t(len) > bytes->size() - uint64_t(begin))
                    throw InputError(file + ": storage view '" + sr.viewKey + "' lies outside storage '" + sr.key +
                                     "'; the file is damaged");
                bytes = std::make_shared<const std::string>(bytes->substr(size_t(begin), size_t(len)));
            }
            it = cache.emplace(cacheKey, std::move(bytes)).first;
        }
        RawTensor t;
        t.name = name;
        t.dtype = sr.dtype;
        t.shape = tr.shape;
        t.stride = tr.stride;
        t.storage = it->second;
        t.storageOffset = tr.offset;
        try {
            checkExtent(t);
        } catch (const InputError& e) {
            throw InputError(file + ": " + e.what() + "; the file is damaged");
        }
        out.tensors.push_back(std::move(t));
    }
    return out;
}

bool looksLikeSafetensors(const std::string& head) {
    if (head.size() < 9)
        return false;
    uint64_t n = 0;
    for (int k = 0; k < 8; ++k)
        n |= uint64_t(static_cast<unsigned char>(head[size_t(k)])) << (8 * k);
    return n > 1 && n < (uint64_t(100) << 20) && head[8] == '{';
}

[[noreturn]] void notACheckpoint(const std::string& file, const std::string& head) {
    if (head.empty())
        throw InputError(file + ": the file is empty; expected a checkpoint written by torch.save");
    if (head.size() >= 262 && head.compare(257, 5, "ustar") == 0)
        throw InputError(file + ": is a tar archive, the torch.save format of PyTorch before 0.4, which is not "
                                "supported; re-save it with a current PyTorch");
    if (looksLikeSafetensors(head))
        throw InputError(file + ": looks like a safetensors file; give it the .safetensors extension");
    if (head.compare(0, 4, "GGUF") == 0)
        throw InputError(file + ": is a GGUF file, not a torch.save checkpoint");
    throw InputError(file + ": not a PyTorch checkpoint (neither a torch.save zip archive nor a pickle stream)");
}

// ----------------------------------------------------------------- formats --

StateDictFile readZip(const ZipReader& zip) {
    const std::string& file = zip.name();
    // The records live under one top-level folder: "archive/" or the file's stem.
    std::string prefix;
    int found = 0;
    for (const ZipEntry& e : zip.entries()) {
        const size_t slash = e.name.find('/');
        if (e.name == "data.pkl") {
            prefix.clear();
            ++found;
        } else if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            prefix = e.name.substr(0, slash + 1);
            ++found;
        }
    }
    if (found == 0)
        throw InputError(file + ": a zip archive without data.pkl, so not written by torch.save; re-save it with "
                                "torch.save");
    if (found > 1)
        throw InputError(file + ": a zip archive with several data.pkl records; re-save it with torch.save");
    if (zip.has(prefix + "constants.pkl") || zip.has(prefix + "code/"))
        throw InputError(file + ": is a TorchScript archive (torch.jit.save); save the weights with "
                                "torch.save(model.state_dict(), path) instead");
    for (const ZipEntry& e : zip.entries())
        if (e.name.compare(0, prefix.size() + 5, prefix + "code/") == 0)
            throw InputError(file + ": is a TorchScript archive (torch.jit.save); save the weights with "
                                    "torch.save(model.state_dict(), path) instead");
    if (const ZipEntry* bo = zip.find(prefix + "byteorder")) {
        std::string order = zip.read(*bo);
        while (!order.empty() && (order.back() == '\n' || order.back() == '\r' || order.back() == ' '))
            order.pop_back();
        if (order == "big")
            throw InputError(file + ": was saved on a big-endian machine; MicroMind reads little-endian "
                                    "checkpoints only (re-save it on a little-endian machine, e.g. x86 or ARM)");
        if (order != "little")
            throw InputError(file + ": unknown byte order '" + order.substr(0, 32) + "' in the archive");
    }
    const std::string pkl = zip.read(prefix + "data.pkl");
    Parsed p;
    p.main = std::make_unique<Unpickler>(file, pkl.data(), pkl.size(), 0);
    p.root = p.main->load();
    const Picked picked = pickStateDict(file, p.root);
    return assemble(file, *p.main, picked, "zip", [&](const StorageRef& sr) {
        const std::string entry = prefix + "data/" + sr.key;
        const ZipEntry* e = zip.find(entry);
        if (!e)
            throw InputError(file + ": storage '" + sr.key + "' is missing from the archive (no entry '" + entry +
                             "'); the file is damaged");
        const uint64_t need = uint64_t(sr.numel) * dtypeSize(sr.dtype); // no overflow: checked when parsed
        if (e->size < need)
            throw InputError(file + ": storage '" + sr.key + "' holds " + std::to_string(e->size) +
                             " bytes but the pickle says " + std::to_string(need) + "; the file is damaged");
        return std::make_shared<const std::string>(zip.read(*e));
    });
}

StateDictFile readLegacy(const std::string& file, const std::string& bytes) {
    size_t pos = 0;
    auto next = [&](std::unique_ptr<Unpickler>& keep) {
        keep = std::make_unique<Unpickler>(file, bytes.data(), bytes.size(), pos);
        Value* v = keep->load();
        pos = keep->pos();
        return v;
    };
    std::unique_ptr<Unpickler> magicP, protoP, infoP, mainP, keysP;
    // 1. The magic number 0x1950a86a20f9469cfc6c.
    const Value* magic = next(magicP);
    static const unsigned char kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    if (magic->kind != Kind::BigInt || magic->s != std::string(reinterpret_cast<const char*>(kMagic), sizeof kMagic))
        throw InputError(file + ": a pickle stream, but not one written by torch.save (no torch magic number); "
                                "MicroMind reads only state dicts saved with torch.save");
    // 2. The protocol version.
    const Value* proto = next(protoP);
    if (proto->kind != Kind::Int || proto->i != 1001)
        throw InputError(file + ": unsupported legacy torch.save protocol version; re-save it with a current "
                                "PyTorch");
    // 3. sys_info.
    const Value* info = next(infoP);
    if (info->kind == Kind::Dict)
        if (const Value* le = dictGet(info, "little_endian"); le && le->kind == Kind::Bool && !le->i)
            throw InputError(file + ": was saved on a big-endian machine; MicroMind reads little-endian "
                                    "checkpoints only (re-save it on a little-endian machine)");
    // 4. The object, 5. the storage keys, in the order their data follows.
    const Value* root = next(mainP);
    const Picked picked = pickStateDict(file, root);
    const Value* keys = next(keysP);
    if (keys->kind != Kind::List)
        throw InputError(file + ": malformed legacy checkpoint (the storage key list is a " +
                         std::string(kindName(keys->kind)) + "); re-save it with torch.save");
    // Element size of each root storage, from the persistent ids.
    std::unordered_map<std::string, size_t> elemSize;
    for (const StorageRef& sr : mainP->storages) {
        const auto [it, fresh] = elemSize.emplace(sr.key, dtypeSize(sr.dtype));
        (void)fresh;
        (void)it;
    }
    std::unordered_map<std::string, size_t> needed; // key -> bytes the pickle declared
    for (const auto& [name, v] : picked.tensors) {
        const StorageRef& sr = mainP->storages[mainP->tensors[size_t(v->i)].storage];
        needed.emplace(sr.key, size_t(sr.numel) * dtypeSize(sr.dtype));
    }
    std::unordered_map<std::string, std::shared_ptr<const std::string>> data;
    for (const Value* k : keys->items) {
        std::string key;
        if (k->kind == Kind::Str)
            key = k->s;
        else if (k->kind == Kind::Int)
            key = std::to_string(k->i);
        else
            throw InputError(file + ": malformed legacy checkpoint (a storage key is a " +
                             std::string(kindName(k->kind)) + ")");
        const auto es = elemSize.find(key);
        if (es == elemSize.end())
            throw InputError(file + ": malformed legacy checkpoint (storage '" + key +
                             "' is listed but used by no tensor); re-save it with torch.save");
        if (bytes.size() - pos < 8)
            throw InputError(file + ": truncated legacy checkpoint (storage '" + key +
                             "' is missing); re-save it with torch.save");
        uint64_t count = 0;
        for (int b = 0; b < 8; ++b)
            count |= uint64_t(static_cast<unsigned char>(bytes[pos + size_t(b)])) << (8 * b);
        pos += 8;
        uint64_t len = 0;
        if (count > uint64_t(INT64_MAX) || __builtin_mul_overflow(count, uint64_t(es->second), &len) ||
            len > bytes.size() - pos)
            throw InputError(file + ": truncated legacy checkpoint (storage '" + key + "' declares " +
                             std::to_string(count) +
                             " elements, more than the file holds); re-save it with "
                             "torch.save");
        const auto want = needed.find(key);
        if (want != needed.end()) {
            if (len < want->second)
                throw InputError(file + ": storage '" + key + "' holds " + std::to_string(len) +
                                 " bytes but the pickle says " + std::to_string(want->second) +
                                 "; the file is damaged");
            data[key] = std::make_shared<const std::string>(bytes.substr(pos, size_t(len)));
        }
        pos += size_t(len);
    }
    return assemble(file, *mainP, picked, "legacy", [&](const StorageRef& sr) {
        const auto it = data.find(sr.key);
        if (it == data.end())
            throw InputError(file + ": storage '" + sr.key + "' has no data in the file; the file is damaged");
        return it->second;
    });
}

StateDictFile readFromBytes(std::string bytes, const std::string& file) {
    if (ZipReader::looksLikeZip(bytes))
        return readZip(ZipReader::fromMemory(std::move(bytes), file));
    if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80)
        return readLegacy(file, bytes);
    notACheckpoint(file, bytes.substr(0, 512));
}

} // namespace

StateDictFile readTorchStateDict(const std::string& path) {
    const std::string head = detail::readFileHead(path, 512);
    if (ZipReader::looksLikeZip(head))
        return readZip(ZipReader::openFile(path));
    if (!head.empty() && static_cast<unsigned char>(head[0]) == 0x80)
        return readLegacy(path, detail::readFileBytes(path));
    notACheckpoint(path, head);
}

StateDictFile readTorchStateDictFromMemory(std::string bytes, const std::string& nameForErrors) {
    return readFromBytes(std::move(bytes), nameForErrors);
}

} // namespace mm::io
