// Private to the restricted unpickler (pickle_unpickler.cpp, pickle_opcodes.cpp)
// and the torch.save readers on top of it (pickle.cpp): the limits, the values
// a pickle builds and the Unpickler class. Not part of the public API (see
// pickle.h).
#pragma once

#include "io/tensor_blob.h"

#include "common/error.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace mm::io::pickle_detail {

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
const char* kindName(Kind k);

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
bool validUtf8(const std::string& s);

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

} // namespace mm::io::pickle_detail
