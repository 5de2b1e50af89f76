// The restricted unpickler's semantics: the globals it accepts (and those it
// refuses as code), persistent storage ids, tensor rebuilding and the
// callables REDUCE may call. The opcode loop is in pickle_opcodes.cpp.

#include "io/pickle_internal.h"

#include "common/error.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace mm::io {

namespace pickle_detail {

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

} // namespace pickle_detail

using namespace pickle_detail;

namespace {

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

} // namespace

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

} // namespace mm::io
