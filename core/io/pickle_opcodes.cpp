// The restricted unpickler's opcode loop, Unpickler::load. The semantics it
// calls are in pickle_unpickler.cpp.

#include "io/pickle_internal.h"

#include "common/error.h"

#include <cstring>

namespace mm::io {

using namespace pickle_detail;

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

} // namespace mm::io
