#include "io/pickle.h"

#include "common/error.h"
#include "io/zip_reader.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <unordered_map>

namespace mm::io {

namespace {

// Limits against hostile pickles. A real state dict of 100k tensors needs
// about 2M values and memo entries and nesting of 4.
constexpr size_t kMaxValues = size_t(1) << 24;
constexpr size_t kMaxMemo = size_t(1) << 24;
constexpr int kMaxDepth = 256;    // nesting of containers
constexpr size_t kMaxMarks = 256; // open MARKs
constexpr size_t kMaxLine = 256;  // GLOBAL module / name lines
constexpr size_t kMaxDims = 64;

// ------------------------------------------------------------------ values --

enum class Kind : uint8_t {
    None,
    Bool,
    Int,
    BigInt,
    Float,
    Str,
    Bytes,
    List,
    Tuple,
    Dict,
    Set,
    Global,
    Storage,
    Tensor
};

const char* kindName(Kind k) {
    switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int:
    case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Set: return "set";
    case Kind::Global: return "class";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
    }
    return "?";
}

/// Globals the unpickler accepts. Storage types are kStorage + int(DType).
enum GlobalId : int64_t {
    kOrderedDict = 1,
    kRebuildTensorV2,
    kRebuildParameter,
    kRebuildParameterWithState,
    kRebuildFromTypeV2,
    kTensorType,
    kParameterType,
    kCodecsEncode,
    kTorchSize,
    kSet,
    kBytes,
    kRestoreTypeTag,
    kStorage = 100,
};

struct Value {
    Kind kind = Kind::None;
    int depth = 0;             // containers: 1 + deepest child (approximate under mutation)
    int64_t i = 0;             // Bool, Int; Global: GlobalId; Storage / Tensor: index of their record
    double f = 0;              // Float
    std::string s;             // Str, Bytes; BigInt: little-endian two's complement; Global: "module.name"
    std::vector<Value*> items; // List, Tuple, Set; Dict: key0, value0, key1, value1, ...
};

struct StorageRef {
    std::string key;
    DType dtype = DType::U8;
    int64_t numel = 0;
    // Legacy files from old PyTorch: a view [offset, offset + size) (elements) of storage `key`.
    bool isView = false;
    std::string viewKey;
    int64_t viewOffset = 0, viewSize = 0;
};

struct TensorRec {
    size_t storage = 0;
    int64_t offset = 0;
    std::vector<int64_t> shape, stride;
};

bool validUtf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/// Modules whose globals are the usual payloads of malicious pickles.
bool runsCode(const std::string& module, const std::string& name) {
    static const char* const modules[] = {
        "os",         "posix", "nt",      "subprocess", "sys",      "builtins",        "__builtin__", "shutil",
        "socket",     "pty",   "runpy",   "importlib",  "pickle",   "_pickle",         "marshal",     "ctypes",
        "webbrowser", "code",  "codeop",  "commands",   "platform", "multiprocessing", "asyncio",     "operator",
        "functools",  "types", "inspect", "pdb",        "timeit",   "tempfile",        "pathlib",     "io"};
    const std::string top = module.substr(0, module.find('.'));
    for (const char* m : modules)
        if (top == m)
            return true;
    for (const char* n : {"eval", "exec", "compile", "__import__", "getattr", "setattr", "open", "system", "popen",
                          "apply", "execfile", "load", "loads"})
        if (name == n)
            return true;
    return false;
}

std::optional<DType> storageDtype(const std::string& name) {
    static const std::pair<const char*, DType> table[] = {
        {"FloatStorage", DType::F32},  {"HalfStorage", DType::F16},  {"BFloat16Storage", DType::BF16},
        {"DoubleStorage", DType::F64}, {"LongStorage", DType::I64},  {"IntStorage", DType::I32},
        {"ShortStorage", DType::I16},  {"CharStorage", DType::I8},   {"ByteStorage", DType::U8},
        {"BoolStorage", DType::Bool},  {"UntypedStorage", DType::U8}};
    for (const auto& [n, d] : table)
        if (name == n)
            return d;
    return std::nullopt;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// -------------------------------------------------------------- unpickler --

class Unpickler {
public:
    Unpickler(const std::string& file, const char* data, size_t size, size_t start)
        : m_file(file), m_p(reinterpret_cast<const unsigned char*>(data)), m_n(size), m_pos(start),
          m_maxLinks(4 * uint64_t(size - start) + (uint64_t(1) << 20)) {}

    /// Runs one pickle up to its STOP; returns the value it built.
    Value* load();
    /// Offset just past the STOP.
    size_t pos() const { return m_pos; }

    std::vector<StorageRef> storages;
    std::vector<TensorRec> tensors;

    [[noreturn]] void fail(const std::string& what) const {
        throw InputError(m_file + ": malformed pickle: " + what + " (at byte " + std::to_string(m_opPos) +
                         "); the file is damaged or not written by torch.save");
    }

private:
    // Input.
    void need(uint64_t k) const {
        if (k > m_n - m_pos)
            throw InputError(m_file + ": the pickle is truncated (needs " + std::to_string(k) + " bytes at byte " +
                             std::to_string(m_pos) + ", " + std::to_string(m_n - m_pos) +
                             " left); re-save it with torch.save");
    }
    uint8_t u8() {
        need(1);
        return m_p[m_pos++];
    }
    uint64_t uleN(size_t k) {
        need(k);
        uint64_t v = 0;
        for (size_t b = 0; b < k; ++b)
            v |= uint64_t(m_p[m_pos + b]) << (8 * b);
        m_pos += k;
        return v;
    }
    std::string bytes(uint64_t k) {
        need(k);
        std::string s(reinterpret_cast<const char*>(m_p + m_pos), size_t(k));
        m_pos += size_t(k);
        return s;
    }
    std::string line() {
        size_t end = m_pos;
        while (end < m_n && m_p[end] != '\n') {
            if (end - m_pos >= kMaxLine)
                fail("a GLOBAL name longer than " + std::to_string(kMaxLine) + " bytes");
            ++end;
        }
        if (end >= m_n)
            need(end - m_pos + 1);
        std::string s(reinterpret_cast<const char*>(m_p + m_pos), end - m_pos);
        m_pos = end + 1;
        return s;
    }

    // Values.
    Value* make(Kind k) {
        if (m_values.size() >= kMaxValues)
            fail("more than " + std::to_string(kMaxValues) + " objects");
        m_values.emplace_back();
        m_values.back().kind = k;
        return &m_values.back();
    }
    Value* makeInt(int64_t v) {
        Value* x = make(Kind::Int);
        x->i = v;
        return x;
    }
    Value* makeStr(std::string s, bool bytesKind) {
        if (!bytesKind && !validUtf8(s))
            fail("a string that is not valid UTF-8");
        Value* x = make(bytesKind ? Kind::Bytes : Kind::Str);
        x->s = std::move(s);
        return x;
    }
    Value* makeLong(const std::string& le);
    void adopt(Value* container, const Value* child) {
        // Every item put into a container counts: copies (OrderedDict(list), torch.Size(list)) of a
        // list fetched many times from the memo would otherwise take time quadratic in the input.
        if (++m_links > m_maxLinks)
            fail("more container items than the pickle's size can justify");
        const int d = child->depth + 1;
        if (d > container->depth) {
            if (d > kMaxDepth)
                fail("containers nested deeper than " + std::to_string(kMaxDepth));
            container->depth = d;
        }
    }

    // Stack.
    size_t base() const { return m_marks.empty() ? 0 : m_marks.back(); }
    void push(Value* v) { m_stack.push_back(v); }
    Value* pop() {
        if (m_stack.size() <= base())
            fail("pop from an empty stack");
        Value* v = m_stack.back();
        m_stack.pop_back();
        return v;
    }
    Value* top() {
        if (m_stack.size() <= base())
            fail("empty stack");
        return m_stack.back();
    }
    std::vector<Value*> popMark() {
        if (m_marks.empty())
            fail("no MARK to pop to");
        const size_t b = m_marks.back();
        m_marks.pop_back();
        std::vector<Value*> items(m_stack.begin() + std::ptrdiff_t(b), m_stack.end());
        m_stack.resize(b);
        return items;
    }
    void memoPut(uint64_t idx) {
        if (m_memo.size() >= kMaxMemo && !m_memo.count(idx))
            fail("more than " + std::to_string(kMaxMemo) + " memo entries");
        m_memo[idx] = top();
    }
    Value* memoGet(uint64_t idx) {
        const auto it = m_memo.find(idx);
        if (it == m_memo.end())
            fail("memo entry " + std::to_string(idx) + " read before it was written");
        return it->second;
    }

    // Semantics.
    Value* global(const std::string& module, const std::string& name);
    Value* reduce(Value* callable, Value* args);
    Value* persistentLoad(Value* pid);
    Value* rebuildTensor(const std::vector<Value*>& a);
    Value* tupleOf(std::vector<Value*> items) {
        Value* t = make(Kind::Tuple);
        for (const Value* c : items)
            adopt(t, c);
        t->items = std::move(items);
        return t;
    }
    int64_t asInt(const Value* v, const char* what) {
        if (v->kind != Kind::Int)
            fail(std::string(what) + " is a " + kindName(v->kind) + ", not an int");
        return v->i;
    }
    std::vector<int64_t> intTuple(const Value* v, const char* what) {
        if (v->kind != Kind::Tuple && v->kind != Kind::List)
            fail(std::string(what) + " is a " + kindName(v->kind) + ", not a tuple");
        if (v->items.size() > kMaxDims)
            fail(std::string(what) + " has more than " + std::to_string(kMaxDims) + " dimensions");
        std::vector<int64_t> out;
        for (const Value* x : v->items) {
            const int64_t n = asInt(x, what);
            if (n < 0)
                fail(std::string(what) + " holds a negative value " + std::to_string(n));
            out.push_back(n);
        }
        return out;
    }

    std::string m_file;
    const unsigned char* m_p;
    size_t m_n;
    size_t m_pos;
    size_t m_opPos = 0;
    uint64_t m_links = 0;
    uint64_t m_maxLinks;
    std::deque<Value> m_values;
    std::vector<Value*> m_stack;
    std::vector<size_t> m_marks;
    std::unordered_map<uint64_t, Value*> m_memo;
};

Value* Unpickler::makeLong(const std::string& le) {
    const size_t n = le.size();
    if (n == 0)
        return makeInt(0);
    const auto* b = reinterpret_cast<const unsigned char*>(le.data());
    const bool negative = b[n - 1] & 0x80;
    // Fits in int64 when the bytes beyond 8 only extend the sign.
    bool fits = true;
    for (size_t k = 8; k < n; ++k)
        if (b[k] != (negative ? 0xFF : 0x00))
            fits = false;
    if (n > 8 && fits && (((b[7] & 0x80) != 0) != negative))
        fits = false;
    if (!fits) {
        Value* x = make(Kind::BigInt);
        x->s = le;
        return x;
    }
    uint64_t v = negative ? ~uint64_t(0) : 0;
    for (size_t k = 0; k < std::min<size_t>(n, 8); ++k) {
        v &= ~(uint64_t(0xFF) << (8 * k));
        v |= uint64_t(b[k]) << (8 * k);
    }
    int64_t sv;
    std::memcpy(&sv, &v, sizeof sv);
    return makeInt(sv);
}

Value* Unpickler::global(const std::string& module, const std::string& name) {
    auto accept = [&](int64_t id) {
        Value* g = make(Kind::Global);
        g->i = id;
        g->s = module + "." + name;
        return g;
    };
    if (module == "collections" && name == "OrderedDict")
        return accept(kOrderedDict);
    if (module == "torch._utils") {
        if (name == "_rebuild_tensor_v2")
            return accept(kRebuildTensorV2);
        if (name == "_rebuild_parameter")
            return accept(kRebuildParameter);
        if (name == "_rebuild_parameter_with_state")
            return accept(kRebuildParameterWithState);
    }
    if (module == "torch._tensor" && name == "_rebuild_from_type_v2")
        return accept(kRebuildFromTypeV2);
    if (module == "torch" && name == "Tensor")
        return accept(kTensorType);
    if (module == "torch.nn.parameter" && name == "Parameter")
        return accept(kParameterType);
    if (module == "torch" && name == "Size")
        return accept(kTorchSize);
    if (module == "_codecs" && name == "encode")
        return accept(kCodecsEncode);
    // LibTorch's torch::pickle_save (MicroMind's own checkpoints) tags a typed
    // Dict with its type string; Python's loader returns the object unchanged.
    if (module == "torch.jit._pickle" && name == "restore_type_tag")
        return accept(kRestoreTypeTag);
    // Protocol 2 writes sets and empty bytes as calls of these builtins.
    if (module == "builtins" || module == "__builtin__") {
        if (name == "set" || name == "frozenset")
            return accept(kSet);
        if (name == "bytes")
            return accept(kBytes);
    }
    const std::string full = module + "." + name;
    if ((module == "torch" || module == "torch.cuda") && endsWith(name, "Storage")) {
        if (const auto d = storageDtype(name))
            return accept(kStorage + int64_t(*d));
        throw InputError(m_file + ": holds tensors of " + full +
                         ", a dtype MicroMind does not read; convert them to float32, float16 or bfloat16 "
                         "before saving");
    }
    if (module.rfind("__torch__", 0) == 0)
        throw InputError(m_file + ": is a TorchScript archive (global '" + full +
                         "'); save the weights with torch.save(model.state_dict(), path) instead");
    if (module == "torch._utils" || module == "torch._tensor")
        throw InputError(m_file + ": holds a tensor kind MicroMind does not read (" + full +
                         ": sparse, quantized or other special tensors); save dense tensors");
    if (module.rfind("numpy", 0) == 0)
        throw InputError(m_file + ": refuses to unpickle global '" + full +
                         "' (numpy objects are not read; store tensors or plain numbers)");
    if (runsCode(module, name))
        throw InputError(m_file + ": refuses to unpickle global '" + full +
                         "' (a checkpoint holds only tensors; this file may run code when loaded in Python, "
                         "so do not load it there)");
    throw InputError(m_file + ": refuses to unpickle global '" + full +
                     "' (only tensors, numbers, strings and plain containers are read; re-save just the "
                     "weights with torch.save(model.state_dict(), path))");
}

Value* Unpickler::persistentLoad(Value* pid) {
    if (pid->kind != Kind::Tuple || pid->items.empty())
        fail("a persistent id that is a " + std::string(kindName(pid->kind)) + ", not a tuple");
    const auto& it = pid->items;
    if ((it[0]->kind == Kind::Str || it[0]->kind == Kind::Bytes) && it[0]->s == "module")
        throw InputError(m_file + ": pickles a whole nn.Module (torch.save(model)); save model.state_dict() "
                                  "instead");
    if ((it[0]->kind != Kind::Str && it[0]->kind != Kind::Bytes) || it[0]->s != "storage")
        fail("a persistent id that is not a storage");
    if (it.size() != 5 && it.size() != 6)
        fail("a storage persistent id of " + std::to_string(it.size()) + " fields");
    if (it[1]->kind != Kind::Global || it[1]->i < kStorage)
        fail("a storage whose type is not a torch storage class");
    StorageRef ref;
    ref.dtype = DType(it[1]->i - kStorage);
    auto keyOf = [&](const Value* v) {
        if (v->kind == Kind::Str)
            return v->s;
        if (v->kind == Kind::Int)
            return std::to_string(v->i);
        fail("a storage key that is a " + std::string(kindName(v->kind)));
    };
    ref.key = keyOf(it[2]);
    if (it[3]->kind != Kind::Str && it[3]->kind != Kind::Bytes)
        fail("a storage location that is not a string");
    ref.numel = asInt(it[4], "a storage's element count");
    if (ref.numel < 0)
        fail("a negative storage size");
    int64_t bytes = 0;
    if (__builtin_mul_overflow(ref.numel, int64_t(dtypeSize(ref.dtype)), &bytes))
        fail("a storage size that overflows 64 bits");
    if (it.size() == 6 && it[5]->kind != Kind::None) {
        const Value* vm = it[5];
        if (vm->kind != Kind::Tuple || vm->items.size() != 3)
            fail("storage view metadata that is not (key, offset, size)");
        ref.isView = true;
        ref.viewKey = keyOf(vm->items[0]);
        ref.viewOffset = asInt(vm->items[1], "a storage view offset");
        ref.viewSize = asInt(vm->items[2], "a storage view size");
        if (ref.viewOffset < 0 || ref.viewSize < 0)
            fail("a negative storage view offset or size");
    }
    Value* s = make(Kind::Storage);
    s->i = int64_t(storages.size());
    storages.push_back(std::move(ref));
    return s;
}

Value* Unpickler::rebuildTensor(const std::vector<Value*>& a) {
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (a.size() != 6 && a.size() != 7)
        fail("_rebuild_tensor_v2 called with " + std::to_string(a.size()) + " arguments");
    if (a[0]->kind != Kind::Storage)
        fail("_rebuild_tensor_v2 called on a " + std::string(kindName(a[0]->kind)) + ", not a storage");
    TensorRec t;
    t.storage = size_t(a[0]->i);
    t.offset = asInt(a[1], "a tensor's storage offset");
    if (t.offset < 0)
        fail("a negative storage offset");
    t.shape = intTuple(a[2], "a tensor's size");
    t.stride = intTuple(a[3], "a tensor's stride");
    if (t.shape.size() != t.stride.size())
        fail("a tensor with " + std::to_string(t.shape.size()) + " sizes and " + std::to_string(t.stride.size()) +
             " strides");
    Value* v = make(Kind::Tensor);
    v->i = int64_t(tensors.size());
    tensors.push_back(std::move(t));
    return v;
}

Value* Unpickler::reduce(Value* callable, Value* args) {
    if (callable->kind != Kind::Global)
        fail("REDUCE calls a " + std::string(kindName(callable->kind)) + ", not a class or function");
    if (args->kind != Kind::Tuple)
        fail("REDUCE arguments are a " + std::string(kindName(args->kind)) + ", not a tuple");
    const std::vector<Value*>& a = args->items;
    switch (callable->i) {
    case kOrderedDict: {
        Value* d = make(Kind::Dict);
        if (a.empty())
            return d;
        if (a.size() != 1 || (a[0]->kind != Kind::List && a[0]->kind != Kind::Tuple))
            fail("OrderedDict called with unexpected arguments");
        for (const Value* pair : a[0]->items) {
            if ((pair->kind != Kind::Tuple && pair->kind != Kind::List) || pair->items.size() != 2)
                fail("OrderedDict item that is not a pair");
            adopt(d, pair->items[0]);
            adopt(d, pair->items[1]);
            d->items.push_back(pair->items[0]);
            d->items.push_back(pair->items[1]);
        }
        return d;
    }
    case kRebuildTensorV2: return rebuildTensor(a);
    case kRebuildParameter:
    case kRebuildParameterWithState:
        // (data, requires_grad, backward_hooks[, state])
        if (a.size() != (callable->i == kRebuildParameter ? 3u : 4u) || a[0]->kind != Kind::Tensor)
            fail(callable->s + " called with unexpected arguments");
        return a[0];
    case kRebuildFromTypeV2: {
        // (func, type, args, state): a tensor (or parameter) rebuilt by func(*args).
        if (a.size() != 4 || a[0]->kind != Kind::Global || a[1]->kind != Kind::Global ||
            (a[1]->i != kTensorType && a[1]->i != kParameterType))
            fail("_rebuild_from_type_v2 called with unexpected arguments (only torch.Tensor is read)");
        Value* t = reduce(a[0], a[2]);
        if (t->kind != Kind::Tensor)
            fail("_rebuild_from_type_v2 did not rebuild a tensor");
        return t;
    }
    case kTorchSize:
        if (a.size() != 1 || (a[0]->kind != Kind::Tuple && a[0]->kind != Kind::List))
            fail("torch.Size called with unexpected arguments");
        return tupleOf(a[0]->items);
    case kSet: {
        Value* set = make(Kind::Set);
        if (a.empty())
            return set;
        if (a.size() != 1 || (a[0]->kind != Kind::List && a[0]->kind != Kind::Tuple && a[0]->kind != Kind::Set))
            fail(callable->s + " called with unexpected arguments");
        for (const Value* v : a[0]->items)
            adopt(set, v);
        set->items = a[0]->items;
        return set;
    }
    case kRestoreTypeTag:
        if (a.size() != 2 || a[1]->kind != Kind::Str)
            fail("restore_type_tag called with unexpected arguments");
        return const_cast<Value*>(a[0]);
    case kBytes:
        if (!a.empty())
            fail("bytes called with arguments");
        return makeStr(std::string(), true);
    case kCodecsEncode: {
        // Protocol 2 writes bytes as _codecs.encode(text, 'latin1').
        if (a.size() != 2 || a[0]->kind != Kind::Str || a[1]->kind != Kind::Str ||
            (a[1]->s != "latin1" && a[1]->s != "latin-1"))
            fail("_codecs.encode called with unexpected arguments");
        std::string out;
        const std::string& in = a[0]->s; // valid UTF-8
        for (size_t k = 0; k < in.size();) {
            const auto c = static_cast<unsigned char>(in[k]);
            if (c < 0x80) {
                out.push_back(char(c));
                ++k;
            } else if ((c & 0xE0) == 0xC0 && c <= 0xC3 && k + 1 < in.size()) {
                out.push_back(char(((c & 0x03) << 6) | (static_cast<unsigned char>(in[k + 1]) & 0x3F)));
                k += 2;
            } else {
                fail("_codecs.encode of a character outside latin-1");
            }
        }
        return makeStr(std::move(out), true);
    }
    default: fail("'" + callable->s + "' cannot be called");
    }
}

Value* Unpickler::load() {
    for (;;) {
        m_opPos = m_pos;
        if (m_pos >= m_n)
            throw InputError(m_file + ": the pickle ends without a STOP opcode (the file is truncated); re-save it "
                                      "with torch.save");
        const uint8_t op = u8();
        switch (op) {
        case 0x80: { // PROTO
            const uint8_t v = u8();
            if (v > 5)
                fail("pickle protocol " + std::to_string(v) + " is newer than 5");
            break;
        }
        case 0x95: { // FRAME: a length prefix only; the data follows inline
            const uint64_t len = uleN(8);
            need(len);
            break;
        }
        case '.': { // STOP
            Value* v = pop();
            return v;
        }
        case '(': // MARK
            if (m_marks.size() >= kMaxMarks)
                fail("more than " + std::to_string(kMaxMarks) + " nested MARKs");
            m_marks.push_back(m_stack.size());
            break;
        case '0': // POP
            if (m_stack.size() > base())
                m_stack.pop_back();
            else
                popMark();
            break;
        case '1': // POP_MARK
            popMark();
            break;
        case '2': // DUP
            push(top());
            break;
        case 'N': push(make(Kind::None)); break;
        case 0x88:   // NEWTRUE
        case 0x89: { // NEWFALSE
            Value* b = make(Kind::Bool);
            b->i = op == 0x88;
            push(b);
            break;
        }
        case 'J': { // BININT
            const uint32_t u = uint32_t(uleN(4));
            int32_t v;
            std::memcpy(&v, &u, sizeof v);
            push(makeInt(v));
            break;
        }
        case 'K': push(makeInt(int64_t(uleN(1)))); break; // BININT1
        case 'M': push(makeInt(int64_t(uleN(2)))); break; // BININT2
        case 0x8a: {                                      // LONG1
            const uint64_t n = uleN(1);
            push(makeLong(bytes(n)));
            break;
        }
        case 0x8b: { // LONG4
            const uint32_t u = uint32_t(uleN(4));
            if (u & 0x80000000u)
                fail("LONG4 with a negative length");
            push(makeLong(bytes(u)));
            break;
        }
        case 'G': { // BINFLOAT: big-endian double
            need(8);
            uint64_t u = 0;
            for (int k = 0; k < 8; ++k)
                u = (u << 8) | m_p[m_pos + size_t(k)];
            m_pos += 8;
            Value* f = make(Kind::Float);
            std::memcpy(&f->f, &u, sizeof u);
            push(f);
            break;
        }
        case 0x8c: push(makeStr(bytes(uleN(1)), false)); break; // SHORT_BINUNICODE
        case 'X': push(makeStr(bytes(uleN(4)), false)); break;  // BINUNICODE
        case 0x8d: push(makeStr(bytes(uleN(8)), false)); break; // BINUNICODE8
        case 'U': push(makeStr(bytes(uleN(1)), false)); break;  // SHORT_BINSTRING (Python 2 str, read as UTF-8)
        case 'T': {                                             // BINSTRING
            const uint32_t u = uint32_t(uleN(4));
            if (u & 0x80000000u)
                fail("BINSTRING with a negative length");
            push(makeStr(bytes(u), false));
            break;
        }
        case 'C': push(makeStr(bytes(uleN(1)), true)); break;  // SHORT_BINBYTES
        case 'B': push(makeStr(bytes(uleN(4)), true)); break;  // BINBYTES
        case 0x8e: push(makeStr(bytes(uleN(8)), true)); break; // BINBYTES8
        case ')': push(make(Kind::Tuple)); break;              // EMPTY_TUPLE
        case ']': push(make(Kind::List)); break;               // EMPTY_LIST
        case '}': push(make(Kind::Dict)); break;               // EMPTY_DICT
        case 0x8f: push(make(Kind::Set)); break;               // EMPTY_SET
        case 't': push(tupleOf(popMark())); break;             // TUPLE
        case 0x85: {                                           // TUPLE1
            Value* a = pop();
            push(tupleOf({a}));
            break;
        }
        case 0x86: { // TUPLE2
            Value* b = pop();
            Value* a = pop();
            push(tupleOf({a, b}));
            break;
        }
        case 0x87: { // TUPLE3
            Value* c = pop();
            Value* b = pop();
            Value* a = pop();
            push(tupleOf({a, b, c}));
            break;
        }
        case 'a': { // APPEND
            Value* v = pop();
            Value* list = top();
            if (list->kind != Kind::List)
                fail("APPEND to a " + std::string(kindName(list->kind)));
            adopt(list, v);
            list->items.push_back(v);
            break;
        }
        case 'e': { // APPENDS
            std::vector<Value*> items = popMark();
            Value* list = top();
            if (list->kind != Kind::List)
                fail("APPENDS to a " + std::string(kindName(list->kind)));
            for (Value* v : items) {
                adopt(list, v);
                list->items.push_back(v);
            }
            break;
        }
        case 0x90: { // ADDITEMS
            std::vector<Value*> items = popMark();
            Value* set = top();
            if (set->kind != Kind::Set)
                fail("ADDITEMS to a " + std::string(kindName(set->kind)));
            for (Value* v : items) {
                adopt(set, v);
                set->items.push_back(v);
            }
            break;
        }
        case 0x91: { // FROZENSET
            Value* set = make(Kind::Set);
            for (Value* v : popMark()) {
                adopt(set, v);
                set->items.push_back(v);
            }
            push(set);
            break;
        }
        case 's': { // SETITEM
            Value* v = pop();
            Value* k = pop();
            Value* d = top();
            if (d->kind != Kind::Dict)
                fail("SETITEM on a " + std::string(kindName(d->kind)));
            adopt(d, k);
            adopt(d, v);
            d->items.push_back(k);
            d->items.push_back(v);
            break;
        }
        case 'u': { // SETITEMS
            std::vector<Value*> items = popMark();
            if (items.size() % 2)
                fail("SETITEMS with an odd number of items");
            Value* d = top();
            if (d->kind != Kind::Dict)
                fail("SETITEMS on a " + std::string(kindName(d->kind)));
            for (Value* v : items) {
                adopt(d, v);
                d->items.push_back(v);
            }
            break;
        }
        case 'q': memoPut(uleN(1)); break;        // BINPUT
        case 'r': memoPut(uleN(4)); break;        // LONG_BINPUT
        case 0x94: memoPut(m_memo.size()); break; // MEMOIZE
        case 'h': push(memoGet(uleN(1))); break;  // BINGET
        case 'j': push(memoGet(uleN(4))); break;  // LONG_BINGET
        case 'c': {                               // GLOBAL
            const std::string module = line();
            const std::string name = line();
            push(global(module, name));
            break;
        }
        case 0x93: { // STACK_GLOBAL
            Value* name = pop();
            Value* module = pop();
            if (name->kind != Kind::Str || module->kind != Kind::Str)
                fail("STACK_GLOBAL on non-strings");
            if (name->s.size() > kMaxLine || module->s.size() > kMaxLine)
                fail("a global name longer than " + std::to_string(kMaxLine) + " bytes");
            push(global(module->s, name->s));
            break;
        }
        case 'i': { // INST: instantiates a class named inline
            const std::string module = line();
            const std::string name = line();
            global(module, name); // refuses what is not allowed, naming it
            fail("INST opcode (class instantiation) is not supported");
        }
        case 'R': { // REDUCE
            Value* args = pop();
            Value* callable = pop();
            push(reduce(callable, args));
            break;
        }
        case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
            Value* args = pop();
            Value* cls = pop();
            if (cls->kind != Kind::Global || cls->i != kOrderedDict || args->kind != Kind::Tuple)
                fail("NEWOBJ of something other than OrderedDict");
            push(make(Kind::Dict));
            break;
        }
        case 0x92: { // NEWOBJ_EX
            Value* kwargs = pop();
            Value* args = pop();
            Value* cls = pop();
            if (cls->kind != Kind::Global || cls->i != kOrderedDict || args->kind != Kind::Tuple ||
                kwargs->kind != Kind::Dict)
                fail("NEWOBJ_EX of something other than OrderedDict");
            push(make(Kind::Dict));
            break;
        }
        case 'b': { // BUILD: obj.__setstate__(state); an OrderedDict's state is its attributes (_metadata)
            pop();
            Value* obj = top();
            if (obj->kind != Kind::Dict && obj->kind != Kind::Tensor)
                fail("BUILD on a " + std::string(kindName(obj->kind)));
            break;
        }
        case 'Q': push(persistentLoad(pop())); break; // BINPERSID
        default: {
            static const char hex[] = "0123456789abcdef";
            std::string code = "0x";
            code += hex[op >> 4];
            code += hex[op & 15];
            fail("unsupported pickle opcode " + code);
        }
        }
    }
}

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
