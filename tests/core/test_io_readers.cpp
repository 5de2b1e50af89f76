// The torch-free readers of core/io: torch.save checkpoints (zip and legacy
// formats) through the restricted unpickler, and safetensors. Fixtures come
// from tests/data/io/make_fixtures.py (real torch 1.13 output) with their
// expected values in expected.json; hostile inputs are built here byte by byte.

#include "common/error.h"
#include "io/pickle.h"
#include "io/safetensors.h"
#include "io/tensor_blob.h"
#include "io/zip_reader.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <unistd.h>

#include "expect_error.h"

#include <gtest/gtest.h>

#ifndef MM_SOURCE_DIR
#error "MM_SOURCE_DIR must name the source root"
#endif

namespace mm::io {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

std::string dataDir() { return std::string(MM_SOURCE_DIR) + "/tests/data/io"; }
std::string fixture(const std::string& name) { return dataDir() + "/" + name; }

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << path;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    ASSERT_TRUE(out.good()) << path;
}

class TempDir {
public:
    TempDir() {
        std::string tmpl = (stdfs::temp_directory_path() / "mm_io_XXXXXX").string();
        if (!::mkdtemp(&tmpl[0]))
            throw std::runtime_error("mkdtemp failed");
        m_path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(m_path, ec);
    }
    std::string file(const std::string& name) const { return m_path + "/" + name; }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

template <class E = InputError>
void expectError(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
    test::expectError<E>(fn, parts);
}

std::string hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    if (exp == 0) {
        const float v = std::ldexp(float(mant), -24);
        return sign ? -v : v;
    }
    uint32_t bits;
    if (exp == 31)
        bits = sign | 0x7f800000u | (mant << 13);
    else
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bf16ToFloat(uint16_t b) {
    const uint32_t bits = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

/// The tensor's elements as doubles, decoded from its contiguous bytes.
std::vector<double> values(const RawTensor& t) {
    const std::string b = contiguousBytes(t);
    std::vector<double> out;
    const size_t es = dtypeSize(t.dtype);
    for (size_t i = 0; i + es <= b.size(); i += es) {
        const char* p = b.data() + i;
        switch (t.dtype) {
        case DType::F32: {
            float v;
            std::memcpy(&v, p, 4);
            out.push_back(v);
            break;
        }
        case DType::F64: {
            double v;
            std::memcpy(&v, p, 8);
            out.push_back(v);
            break;
        }
        case DType::F16: {
            uint16_t v;
            std::memcpy(&v, p, 2);
            out.push_back(halfToFloat(v));
            break;
        }
        case DType::BF16: {
            uint16_t v;
            std::memcpy(&v, p, 2);
            out.push_back(bf16ToFloat(v));
            break;
        }
        case DType::I64: {
            int64_t v;
            std::memcpy(&v, p, 8);
            out.push_back(double(v));
            break;
        }
        case DType::I32: {
            int32_t v;
            std::memcpy(&v, p, 4);
            out.push_back(v);
            break;
        }
        case DType::I16: {
            int16_t v;
            std::memcpy(&v, p, 2);
            out.push_back(v);
            break;
        }
        case DType::I8: out.push_back(static_cast<int8_t>(*p)); break;
        case DType::U8: out.push_back(static_cast<uint8_t>(*p)); break;
        case DType::Bool: out.push_back(*p ? 1.0 : 0.0); break;
        }
    }
    return out;
}

const json& expected() {
    static const json j = json::parse(readBytes(fixture("expected.json")));
    return j;
}

void checkAgainstExpected(const std::string& file, const std::vector<RawTensor>& got) {
    SCOPED_TRACE(file);
    const json& want = expected().at(file).at("tensors");
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        const RawTensor& t = got[i];
        const json& w = want[i];
        SCOPED_TRACE(t.name);
        EXPECT_EQ(t.name, w.at("name").get<std::string>());
        EXPECT_EQ(dtypeName(t.dtype), w.at("dtype").get<std::string>());
        EXPECT_EQ(t.shape, w.at("shape").get<std::vector<int64_t>>());
        EXPECT_EQ(hex(contiguousBytes(t)), w.at("hex").get<std::string>());
        EXPECT_EQ(values(t), w.at("values").get<std::vector<double>>());
    }
}

// ----------------------------------------------------------- pickle bytes --
// Small builders of protocol-2 pickles, to make hostile inputs by hand.

std::string le(uint64_t v, int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s.push_back(char((v >> (8 * i)) & 0xff));
    return s;
}
std::string str(const std::string& s) { return "X" + le(s.size(), 4) + s; }
std::string int1(int v) { return "K" + std::string(1, char(v)); }
std::string intv(int32_t v) { return "J" + le(uint32_t(v), 4); }
std::string tupleOf(const std::vector<int64_t>& xs) {
    std::string s = "(";
    for (int64_t x : xs)
        s += intv(int32_t(x));
    return s + "t";
}

/// A `_rebuild_tensor_v2` call on storage `key`.
std::string tensorPickle(const std::string& storageType, const std::string& key, int64_t numel, int64_t offset,
                         const std::vector<int64_t>& shape, const std::vector<int64_t>& stride) {
    return "ctorch._utils\n_rebuild_tensor_v2\n(" +
           ("(" + str("storage") + "ctorch\n" + storageType + "\n" + str(key) + str("cpu") + intv(int32_t(numel)) +
            "tQ") +
           intv(int32_t(offset)) + tupleOf(shape) + tupleOf(stride) + "\x89" + "ccollections\nOrderedDict\n)R" + "tR";
}

/// A legacy torch.save stream around `mainPickle` (a full pickle: PROTO ... STOP),
/// with storages (key, element count, bytes) in this order.
struct LegacyStorage {
    std::string key;
    uint64_t count;
    std::string bytes;
};
/// The magic-number, protocol and sys_info pickles that open a legacy stream.
std::string legacyHead(bool littleEndian = true) {
    static const unsigned char magic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    std::string s = std::string("\x80\x02\x8a\x0a", 4) + std::string(reinterpret_cast<const char*>(magic), 10) + ".";
    s += std::string("\x80\x02M\xe9\x03.", 6);
    s += std::string("\x80\x02}(", 4) + str("little_endian") + (littleEndian ? "\x88" : "\x89") + "u.";
    return s;
}
std::string legacyStream(const std::string& mainPickle, const std::vector<LegacyStorage>& storages,
                         bool littleEndian = true) {
    std::string s = legacyHead(littleEndian) + mainPickle;
    s += "\x80\x02](";
    for (const auto& st : storages)
        s += str(st.key);
    s += "e.";
    for (const auto& st : storages)
        s += le(st.count, 8) + st.bytes;
    return s;
}

std::string floats(std::initializer_list<float> xs) {
    std::string s;
    for (float x : xs)
        s.append(reinterpret_cast<const char*>(&x), 4);
    return s;
}

StateDictFile readMem(const std::string& bytes) { return readTorchStateDictFromMemory(bytes, "mem.pth"); }

// ------------------------------------------------------- torch fixtures --

TEST(TorchReader, ReadsEveryFixtureExactly) {
    for (const auto& [file, want] : expected().items()) {
        if (file == "hand.safetensors")
            continue;
        SCOPED_TRACE(file);
        const StateDictFile sd = readTorchStateDict(fixture(file));
        EXPECT_EQ(sd.format, want.at("format").get<std::string>());
        EXPECT_EQ(sd.skipped, want.at("skipped").get<std::vector<std::string>>());
        checkAgainstExpected(file, sd.tensors);
        // The in-memory entry point gives the same.
        const StateDictFile mem = readTorchStateDictFromMemory(readBytes(fixture(file)), file);
        EXPECT_EQ(mem.format, sd.format);
        checkAgainstExpected(file, mem.tensors);
    }
}

TEST(TorchReader, ViewsKeepStridesOffsetsAndSharedStorage) {
    const StateDictFile sd = readTorchStateDict(fixture("zip_views.pth"));
    ASSERT_EQ(sd.tensors.size(), 5u);
    const RawTensor& base = sd.tensors[0];
    const RawTensor& row2 = sd.tensors[1];
    const RawTensor& tr = sd.tensors[2];
    const RawTensor& win = sd.tensors[3];
    EXPECT_EQ(base.storage.get(), row2.storage.get()); // one storage, read once
    EXPECT_EQ(base.storage.get(), tr.storage.get());
    EXPECT_EQ(row2.storageOffset, 10);
    EXPECT_EQ(tr.stride, (std::vector<int64_t>{1, 5}));
    EXPECT_EQ(win.storageOffset, 7);
    EXPECT_EQ(win.stride, (std::vector<int64_t>{5, 1}));
    EXPECT_EQ(base.storage->size(), 20u * 4);
}

TEST(TorchReader, LegacyFormatSharesTheStorageOfAView) {
    const StateDictFile sd = readTorchStateDict(fixture("legacy_fp32.pth"));
    ASSERT_GE(sd.tensors.size(), 2u);
    EXPECT_EQ(sd.tensors[0].storage.get(), sd.tensors[1].storage.get());
    EXPECT_EQ(sd.tensors[1].stride, (std::vector<int64_t>{1, 4}));
}

TEST(TorchReader, RefusesOsSystemNamingTheFileAndTheGlobal) {
    const std::string evil = fixture("malicious_os_system.pth");
    expectError([&] { readTorchStateDict(evil); }, {evil, "refuses to unpickle global 'os.system'", "run code"});
    const std::string evil2 = fixture("malicious_stack_global.pkl");
    expectError([&] { readTorchStateDict(evil2); }, {evil2, "'posix.system'"});
}

TEST(TorchReader, RefusesOtherGlobalsWithAdvice) {
    const std::string pk = std::string("\x80\x02}(", 4) + str("args") + "cargparse\nNamespace\n)R" + "u.";
    expectError([&] { readMem(legacyStream(pk, {})); }, {"mem.pth", "'argparse.Namespace'", "state_dict()"});
    const std::string np = std::string("\x80\x02", 2) + "cnumpy.core.multiarray\n_reconstruct\n.";
    expectError([&] { readMem(legacyStream(np, {})); }, {"numpy.core.multiarray._reconstruct"});
    const std::string ts = std::string("\x80\x02", 2) + "c__torch__\nNet\n.";
    expectError([&] { readMem(legacyStream(ts, {})); }, {"TorchScript"});
    const std::string cplx = std::string("\x80\x02", 2) + "ctorch\nComplexFloatStorage\n.";
    expectError([&] { readMem(legacyStream(cplx, {})); }, {"torch.ComplexFloatStorage"});
    const std::string sparse = std::string("\x80\x02", 2) + "ctorch._utils\n_rebuild_sparse_tensor\n.";
    expectError([&] { readMem(legacyStream(sparse, {})); }, {"_rebuild_sparse_tensor"});
}

TEST(TorchReader, TruncatedZipSaysSo) {
    const std::string f = fixture("truncated_zip.pth");
    expectError([&] { readTorchStateDict(f); }, {f, "truncated zip archive", "torch.save"});
}

TEST(TorchReader, EveryPrefixAndByteFlipFailsCleanly) {
    // No crash, no hang, only mm::Error for any damaged fixture.
    for (const char* name : {"zip_fp32_dict.pth", "legacy_fp32.pth", "zip_protocol4.pth", "zip_fp16_module.pth"}) {
        const std::string whole = readBytes(fixture(name));
        for (size_t n = 0; n < whole.size(); ++n) {
            try {
                readMem(whole.substr(0, n));
                // A legacy stream cut after its last storage's data can still be whole.
            } catch (const Error&) {
            }
        }
        for (size_t i = 0; i < whole.size(); ++i) {
            std::string bad = whole;
            bad[i] = char(bad[i] ^ 0x5a);
            try {
                const StateDictFile sd = readMem(bad);
                for (const RawTensor& t : sd.tensors)
                    contiguousBytes(t);
            } catch (const Error&) {
            }
        }
    }
}

TEST(TorchReader, NotACheckpoint) {
    TempDir dir;
    writeBytes(dir.file("notes.pth"), "hello, this is text\n");
    expectError([&] { readTorchStateDict(dir.file("notes.pth")); },
                {dir.file("notes.pth"), "not a PyTorch checkpoint"});
    writeBytes(dir.file("empty.pth"), "");
    expectError([&] { readTorchStateDict(dir.file("empty.pth")); }, {"empty"});
    expectError([&] { readTorchStateDict(dir.file("missing.pth")); }, {dir.file("missing.pth"), "no such file"});
    expectError([&] { readTorchStateDict(fixture("hand.safetensors")); }, {"safetensors"});
    expectError([&] { readTorchStateDict(dir.path()); }, {"not a regular file"});
}

// Rebuilds a fixture's archive with entries changed or added.
std::vector<std::pair<std::string, std::string>> entriesOf(const std::string& file) {
    const ZipReader z = ZipReader::openFile(fixture(file));
    std::vector<std::pair<std::string, std::string>> out;
    for (const ZipEntry& e : z.entries())
        out.emplace_back(e.name, z.read(e));
    return out;
}

TEST(TorchReader, ByteOrderRecord) {
    auto entries = entriesOf("zip_fp32_dict.pth");
    entries.emplace_back("zip_fp32_dict/byteorder", "little");
    const StateDictFile ok = readMem(buildStoredZip(entries));
    checkAgainstExpected("zip_fp32_dict.pth", ok.tensors);
    entries.back().second = "big";
    expectError([&] { readMem(buildStoredZip(entries)); }, {"mem.pth", "big-endian"});
    expectError([&] { readMem(legacyStream(std::string("\x80\x02}.", 4), {}, false)); }, {"big-endian"});
}

TEST(TorchReader, RebuiltArchiveWithAnotherPrefixReadsTheSame) {
    auto entries = entriesOf("zip_fp16_module.pth");
    for (auto& e : entries)
        e.first = "other_name" + e.first.substr(e.first.find('/'));
    checkAgainstExpected("zip_fp16_module.pth", readMem(buildStoredZip(entries)).tensors);
}

TEST(TorchReader, MissingStorageEntryAndShortStorage) {
    auto entries = entriesOf("zip_fp32_dict.pth");
    auto without = entries;
    without.erase(
        std::remove_if(without.begin(), without.end(), [](const auto& e) { return e.first == "zip_fp32_dict/data/0"; }),
        without.end());
    expectError([&] { readMem(buildStoredZip(without)); }, {"storage '0'", "missing"});
    for (auto& e : entries)
        if (e.first == "zip_fp32_dict/data/0")
            e.second.resize(4);
    expectError([&] { readMem(buildStoredZip(entries)); }, {"storage '0'", "holds 4 bytes"});
}

TEST(TorchReader, TorchScriptArchive) {
    auto entries = entriesOf("zip_fp32_dict.pth");
    entries.emplace_back("zip_fp32_dict/constants.pkl", std::string("\x80\x02).", 4));
    expectError([&] { readMem(buildStoredZip(entries)); }, {"TorchScript"});
}

TEST(TorchReader, NestedCheckpointKeys) {
    const std::string t = tensorPickle("FloatStorage", "0", 2, 0, {2}, {1});
    for (const char* key : {"model", "state_dict", "model_state_dict"}) {
        const std::string pk =
            std::string("\x80\x02}(", 4) + str("epoch") + int1(3) + str(key) + "}(" + str("w") + t + "u" + "u.";
        const StateDictFile sd = readMem(legacyStream(pk, {{"0", 2, floats({1.5f, -2.f})}}));
        EXPECT_EQ(sd.format, std::string("legacy:") + key);
        ASSERT_EQ(sd.tensors.size(), 1u);
        EXPECT_EQ(values(sd.tensors[0]), (std::vector<double>{1.5, -2.0}));
    }
    // No tensors anywhere: the keys are listed.
    const std::string none = std::string("\x80\x02}(", 4) + str("epoch") + int1(3) + "u.";
    expectError([&] { readMem(legacyStream(none, {})); }, {"holds no tensors", "'epoch'"});
    // Not a dict at all.
    expectError([&] { readMem(legacyStream(std::string("\x80\x02]", 3) + ".", {})); }, {"holds a list"});
}

TEST(TorchReader, DuplicateKeysKeepPythonDictSemantics) {
    const std::string t0 = tensorPickle("FloatStorage", "0", 2, 0, {1}, {1});
    const std::string t1 = tensorPickle("FloatStorage", "0", 2, 1, {1}, {1});
    const std::string pk = std::string("\x80\x02}(", 4) + str("a") + t0 + str("b") + int1(1) + str("a") + t1 + "u.";
    const StateDictFile sd = readMem(legacyStream(pk, {{"0", 2, floats({1.f, 2.f})}}));
    ASSERT_EQ(sd.tensors.size(), 1u);
    EXPECT_EQ(sd.tensors[0].name, "a");
    EXPECT_EQ(values(sd.tensors[0]), (std::vector<double>{2.0}));
    EXPECT_EQ(sd.skipped, (std::vector<std::string>{"b (int)"}));
}

TEST(TorchReader, HostilePickles) {
    const std::string dict = std::string("\x80\x02}(", 4);
    // A tensor reaching past its storage.
    const std::string big = dict + str("w") + tensorPickle("FloatStorage", "0", 2, 0, {3}, {1}) + "u.";
    expectError(
        [&] {
            readMem(legacyStream(big, {{"0", 2, floats({1.f, 2.f})}}));
        },
        {"mem.pth", "tensor 'w'", "reaches byte 12"});
    // A storage offset past the end; strides that overflow.
    const std::string off = dict + str("w") + tensorPickle("FloatStorage", "0", 2, 5, {1}, {1}) + "u.";
    expectError([&] { readMem(legacyStream(off, {{"0", 2, floats({1.f, 2.f})}})); }, {"tensor 'w'"});
    const std::string ovf = dict + str("w") +
                            tensorPickle("FloatStorage", "0", 2, 0, {2, 2, 2}, {0x7fffffff, 0x7fffffff, 0x7fffffff}) +
                            "u.";
    expectError([&] { readMem(legacyStream(ovf, {{"0", 2, floats({1.f, 2.f})}})); }, {"tensor 'w'"});
    // The element count in the stream claims more than the file holds.
    const std::string ok = dict + str("w") + tensorPickle("FloatStorage", "0", 2, 0, {2}, {1}) + "u.";
    expectError(
        [&] {
            readMem(legacyStream(ok, {{"0", uint64_t(1) << 62, floats({1.f, 2.f})}}));
        },
        {"truncated legacy"});
    // Sizes and strides of different lengths, a negative size.
    const std::string mism = dict + str("w") + tensorPickle("FloatStorage", "0", 2, 0, {2}, {1, 1}) + "u.";
    expectError([&] { readMem(legacyStream(mism, {{"0", 2, floats({1.f, 2.f})}})); }, {"1 sizes and 2 strides"});
    const std::string neg = dict + str("w") + tensorPickle("FloatStorage", "0", 2, 0, {-2}, {1}) + "u.";
    expectError([&] { readMem(legacyStream(neg, {{"0", 2, floats({1.f, 2.f})}})); }, {"negative"});
    // A string longer than the bytes left.
    expectError([&] { readMem(legacyStream(std::string("\x80\x02X\xff\xff\xff\x7f", 7), {})); }, {"truncated"});
    // BINGET of an unwritten memo slot, an unknown opcode, a pop from an empty stack.
    expectError([&] { readMem(legacyStream(std::string("\x80\x02h\x07.", 5), {})); }, {"memo entry 7"});
    expectError([&] { readMem(legacyStream(std::string("\x80\x02\xff.", 4), {})); },
                {"unsupported pickle opcode 0xff"});
    expectError([&] { readMem(legacyStream(std::string("\x80\x02t.", 4), {})); }, {"MARK"});
    expectError([&] { readMem(legacyStream(std::string("\x80\x02.", 3), {})); }, {"empty stack"});
    // Deep nesting.
    std::string deep = "\x80\x02";
    for (int i = 0; i < 300; ++i)
        deep += "]";
    for (int i = 0; i < 299; ++i)
        deep += "a";
    expectError([&] { readMem(legacyStream(deep + ".", {})); }, {"nested deeper"});
    std::string marks = "\x80\x02";
    for (int i = 0; i < 300; ++i)
        marks += "(";
    expectError([&] { readMem(legacyStream(marks + ".", {})); }, {"MARKs"});
    // A list that contains itself: refused by the depth limit, never looped over.
    std::string self = std::string("\x80\x02]q\x00", 5);
    for (int i = 0; i < 300; ++i)
        self += std::string("h\0a", 3);
    expectError([&] { readMem(legacyStream(self + ".", {})); }, {"nested deeper"});
    // A whole pickled nn.Module, a persistent id that is not a storage.
    const std::string mod = std::string("\x80\x02(", 3) + str("module") + "NNtQ.";
    expectError([&] { readMem(legacyStream(mod, {})); }, {"nn.Module", "state_dict()"});
    // Invalid UTF-8 in a string.
    expectError([&] { readMem(legacyStream(std::string("\x80\x02X\x02\x00\x00\x00\xc3\x28.", 10), {})); }, {"UTF-8"});
    // No STOP.
    expectError([&] { readMem(legacyHead() + std::string("\x80\x02}", 3)); }, {"STOP", "truncated"});
    // A pickle that is not torch's (no magic number).
    expectError([&] { readMem(std::string("\x80\x02}.", 4)); }, {"not one written by torch.save"});
}

TEST(TorchReader, BigIntegersAndOtherValuesAreSkipped) {
    const std::string t = tensorPickle("FloatStorage", "0", 1, 0, {}, {});
    const std::string pk = std::string("\x80\x02}(", 4) + str("w") + t + str("huge") + std::string("\x8a\x0a", 2) +
                           std::string(9, '\x11') + "\x01" + str("neg") + std::string("\x8a\x09", 2) +
                           std::string(8, '\xff') + "\xff" + str("f") + "G" + std::string("\x3f\xf8\0\0\0\0\0\0", 8) +
                           str("b") +
                           "C\x02"
                           "ab" +
                           str("s") + "\x8f(K\x01\x90" + "u.";
    const StateDictFile sd = readMem(legacyStream(pk, {{"0", 1, floats({4.f})}}));
    ASSERT_EQ(sd.tensors.size(), 1u);
    EXPECT_TRUE(sd.tensors[0].shape.empty());
    EXPECT_EQ(values(sd.tensors[0]), (std::vector<double>{4.0}));
    EXPECT_EQ(sd.skipped, (std::vector<std::string>{"huge (int)", "neg (int)", "f (float)", "b (bytes)", "s (set)"}));
}

TEST(TorchReader, ParameterAndRebuildFromType) {
    const std::string t = tensorPickle("HalfStorage", "k", 2, 0, {2}, {1});
    const std::string param =
        "ctorch._utils\n_rebuild_parameter\n(" + t + "\x88" + "ccollections\nOrderedDict\n)Rt" + "R";
    const std::string fromType =
        "ctorch._tensor\n_rebuild_from_type_v2\n(ctorch._utils\n_rebuild_tensor_v2\n"
        "ctorch.nn.parameter\nParameter\n(" +
        ("(" + str("storage") + "ctorch\nHalfStorage\n" + str("k") + str("cpu") + int1(2) + "tQ") + int1(0) +
        tupleOf({2}) + tupleOf({1}) + "\x89" + "ccollections\nOrderedDict\n)R" + "t}tR";
    const std::string pk = std::string("\x80\x02}(", 4) + str("p") + param + str("q") + fromType + "u.";
    const StateDictFile sd = readMem(legacyStream(pk, {{"k", 2, std::string("\x00\x3c\x00\xc0", 4)}}));
    ASSERT_EQ(sd.tensors.size(), 2u);
    EXPECT_EQ(values(sd.tensors[0]), (std::vector<double>{1.0, -2.0}));
    EXPECT_EQ(values(sd.tensors[1]), (std::vector<double>{1.0, -2.0}));
    EXPECT_EQ(sd.tensors[0].dtype, DType::F16);
}

// ---------------------------------------------------------------- zip --

/// A ZIP64 rendering of `entries`: saturated 32-bit fields, ZIP64 extra
/// fields, ZIP64 end record and locator, as writers do for files over 4 GiB.
std::string buildZip64(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out, cd;
    for (const auto& [name, data] : entries) {
        const uint32_t crc = crc32(data.data(), data.size());
        const uint64_t offset = out.size();
        const std::string extraLocal = le(1, 2) + le(16, 2) + le(data.size(), 8) + le(data.size(), 8);
        out += le(0x04034b50, 4) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(0xffffffff, 4) +
               le(0xffffffff, 4) + le(name.size(), 2) + le(extraLocal.size(), 2) + name + extraLocal + data;
        const std::string extra = le(1, 2) + le(24, 2) + le(data.size(), 8) + le(data.size(), 8) + le(offset, 8);
        cd += le(0x02014b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
              le(0xffffffff, 4) + le(0xffffffff, 4) + le(name.size(), 2) + le(extra.size(), 2) + le(0, 2) + le(0, 2) +
              le(0, 2) + le(0, 4) + le(0xffffffff, 4) + name + extra;
    }
    const uint64_t cdOffset = out.size();
    out += cd;
    const uint64_t end64 = out.size();
    out += le(0x06064b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) + le(entries.size(), 8) +
           le(entries.size(), 8) + le(cd.size(), 8) + le(cdOffset, 8);
    out += le(0x07064b50, 4) + le(0, 4) + le(end64, 8) + le(1, 4);
    out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(0xffff, 2) + le(0xffff, 2) + le(0xffffffff, 4) +
           le(0xffffffff, 4) + le(0, 2);
    return out;
}

TEST(ZipReader, Crc32KnownValue) {
    EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
    EXPECT_EQ(crc32("", 0), 0u);
    const std::string longer(1000, 'x');
    EXPECT_EQ(crc32(longer.data() + 3, 500, crc32(longer.data(), 3)), crc32(longer.data(), 503));
}

TEST(ZipReader, Zip64ArchivesRead) {
    const auto entries = entriesOf("zip_fp32_dict.pth");
    const std::string z64 = buildZip64(entries);
    const ZipReader z = ZipReader::fromMemory(z64, "z64.pth");
    ASSERT_EQ(z.entries().size(), entries.size());
    for (const auto& [name, data] : entries)
        EXPECT_EQ(z.read(name), data);
    checkAgainstExpected("zip_fp32_dict.pth", readMem(z64).tensors);
}

TEST(ZipReader, RefusesDeflateEncryptedAndDamagedEntries) {
    std::string z = buildStoredZip({{"a/data.pkl", "hello"}});
    const ZipReader ok = ZipReader::fromMemory(z, "z.zip");
    EXPECT_EQ(ok.read("a/data.pkl"), "hello");
    expectError([&] { ok.read("nope"); }, {"z.zip", "no entry 'nope'"});
    // Method 8 in the central directory.
    const size_t cdPos = z.find(std::string("PK\x01\x02", 4));
    std::string deflate = z;
    deflate[cdPos + 10] = 8;
    expectError([&] { ZipReader::fromMemory(deflate, "z.zip").read("a/data.pkl"); }, {"z.zip", "DEFLATE"});
    std::string enc = z;
    enc[cdPos + 8] = 1;
    expectError([&] { ZipReader::fromMemory(enc, "z.zip").read("a/data.pkl"); }, {"encrypted"});
    std::string damaged = z;
    damaged[30 + 10] ^= 1; // a data byte
    expectError([&] { ZipReader::fromMemory(damaged, "z.zip").read("a/data.pkl"); }, {"CRC-32"});
    // Duplicate names, a directory past the end.
    expectError([&] { ZipReader::fromMemory(buildStoredZip({{"x", "1"}, {"x", "2"}}), "z.zip"); }, {"appears twice"});
    std::string past = z;
    past[past.size() - 6] = char(0x7f); // central directory offset
    expectError([&] { ZipReader::fromMemory(past, "z.zip"); }, {"truncated zip archive"});
}

TEST(ZipReader, DeflatedFixtureFromPythonZipfile) {
    // A torch archive re-zipped with compression: refused with the reason.
    auto entries = entriesOf("zip_fp32_dict.pth");
    std::string z = buildStoredZip(entries);
    for (size_t p = 0; (p = z.find(std::string("PK\x01\x02", 4), p)) != std::string::npos; p += 4)
        z[p + 10] = 8;
    expectError([&] { readMem(z); }, {"mem.pth", "DEFLATE-compressed", "torch.save"});
}

// ------------------------------------------------------- contiguousBytes --

RawTensor rawOf(DType d, std::vector<int64_t> shape, std::vector<int64_t> stride, std::string bytes,
                int64_t offset = 0) {
    RawTensor t;
    t.name = "t";
    t.dtype = d;
    t.shape = std::move(shape);
    t.stride = std::move(stride);
    t.storage = std::make_shared<const std::string>(std::move(bytes));
    t.storageOffset = offset;
    return t;
}

TEST(TensorBlob, ContiguousBytesHonoursStridesAndBounds) {
    std::string s;
    for (int i = 0; i < 12; ++i)
        s.push_back(char(i));
    EXPECT_EQ(contiguousBytes(rawOf(DType::U8, {3, 4}, {4, 1}, s)), s);
    EXPECT_EQ(contiguousBytes(rawOf(DType::U8, {3, 4}, {}, s)), s); // empty stride: contiguous
    EXPECT_EQ(hex(contiguousBytes(rawOf(DType::U8, {4, 3}, {1, 4}, s))), "00040801050902060a03070b");
    EXPECT_EQ(hex(contiguousBytes(rawOf(DType::U8, {2, 2}, {4, 2}, s, 5))), "0507090b");
    EXPECT_EQ(hex(contiguousBytes(rawOf(DType::I16, {2}, {2}, s, 1))), "02030607");
    EXPECT_EQ(contiguousBytes(rawOf(DType::F32, {0, 5}, {5, 1}, "")), "");
    EXPECT_EQ(hex(contiguousBytes(rawOf(DType::U8, {3}, {0}, s, 2))), "020202"); // stride 0 repeats
    expectError([&] { contiguousBytes(rawOf(DType::U8, {3, 5}, {4, 1}, s)); }, {"tensor 't'", "reaches byte"});
    expectError([&] { contiguousBytes(rawOf(DType::U8, {2}, {1}, s, 11)); }, {"reaches byte 13"});
    expectError([&] { contiguousBytes(rawOf(DType::U8, {2}, {-1}, s, 1)); }, {"negative stride"});
    expectError([&] { contiguousBytes(rawOf(DType::U8, {2}, {1, 1}, s)); }, {"1 sizes but 2 strides"});
    expectError([&] { contiguousBytes(rawOf(DType::U8, {int64_t(1) << 40}, {0}, s)); }, {"repeat elements"});
    expectError([&] { contiguousBytes(rawOf(DType::F64, {int64_t(1) << 62, 8}, {0, 0}, s)); }, {"overflows"});
}

// ---------------------------------------------------------- safetensors --

TEST(Safetensors, ReadsTheHandWrittenFile) {
    std::map<std::string, std::string> meta;
    const auto ts = readSafetensors(fixture("hand.safetensors"), &meta);
    checkAgainstExpected("hand.safetensors", ts);
    EXPECT_EQ(meta, (std::map<std::string, std::string>{{"format", "pt"}, {"source", "make_fixtures.py"}}));
    checkAgainstExpected("hand.safetensors", readSafetensorsFromMemory(readBytes(fixture("hand.safetensors")), "m"));
}

TEST(Safetensors, WriterRoundTripsEveryDtypeAndView) {
    TempDir dir;
    // Strided views, every integer dtype, 0-d and empty tensors, bf16, bool.
    std::vector<RawTensor> ts;
    for (const char* f : {"zip_views.pth", "zip_mixed.pth", "zip_fp32_dict.pth", "zip_bf16_archive.pth",
                          "legacy_fp32.pth", "zip_fp16_module.pth"})
        for (RawTensor& t : readTorchStateDict(fixture(f)).tensors) {
            t.name = std::string(f) + ":" + t.name;
            ts.push_back(t);
        }
    const std::map<std::string, std::string> meta{{"format", "pt"}, {"note", "ünïcode"}};
    const std::string path = dir.file("out.safetensors");
    writeSafetensors(path, ts, meta);
    EXPECT_FALSE(stdfs::exists(path + ".tmp-" + std::to_string(::getpid())));
    const std::string bytes = readBytes(path);
    EXPECT_EQ(bytes, serializeSafetensors(ts, meta));
    uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    EXPECT_EQ(n % 8, 0u);
    EXPECT_EQ(bytes[8], '{');
    std::map<std::string, std::string> back;
    const auto rt = readSafetensors(path, &back);
    EXPECT_EQ(back, meta);
    ASSERT_EQ(rt.size(), ts.size());
    for (size_t i = 0; i < ts.size(); ++i) {
        SCOPED_TRACE(ts[i].name);
        EXPECT_EQ(rt[i].name, ts[i].name); // data order is write order
        EXPECT_EQ(rt[i].dtype, ts[i].dtype);
        EXPECT_EQ(rt[i].shape, ts[i].shape);
        EXPECT_EQ(contiguousBytes(rt[i]), contiguousBytes(ts[i]));
    }
}

TEST(Safetensors, WriterRefusesBadInput) {
    TempDir dir;
    auto t = rawOf(DType::U8, {2}, {1}, "ab");
    expectError([&] { serializeSafetensors({t, t}, {}); }, {"'t' appears twice"});
    t.name = "__metadata__";
    expectError([&] { serializeSafetensors({t}, {}); }, {"reserved"});
    auto bad = rawOf(DType::U8, {3}, {1}, "ab");
    expectError([&] { writeSafetensors(dir.file("x.safetensors"), {bad}, {}); }, {"reaches byte"});
    EXPECT_FALSE(stdfs::exists(dir.file("x.safetensors")));
    auto badName = rawOf(DType::U8, {2}, {1}, "ab");
    badName.name = std::string("\xff\xfe", 2);
    expectError([&] { serializeSafetensors({badName}, {}); }, {"UTF-8"});
    expectError<IoError>([&] { writeSafetensors(dir.file("no/such/dir/x.safetensors"), {}, {}); }, {"cannot write"});
}

std::string stFile(const std::string& header, const std::string& data) { return le(header.size(), 8) + header + data; }

TEST(Safetensors, ValidatesHostileHeaders) {
    auto rd = [](const std::string& b) { return readSafetensorsFromMemory(b, "bad.safetensors"); };
    expectError([&] { rd("1234"); }, {"bad.safetensors", "too short"});
    expectError([&] { rd(le(1000, 8) + "{}"); }, {"exceeds the file size"});
    expectError([&] { rd(le(uint64_t(1) << 60, 8) + "{}"); }, {"100 MB"});
    expectError([&] { rd(stFile("[1]", "")); }, {"does not start with '{'"});
    expectError([&] { rd(stFile("{\"a\":", "")); }, {"not valid JSON"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x")); },
                {"tensor 'a'", "'F8_E4M3'", "supported"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "xxxx")); },
                {"tensor 'a'", "8 bytes", "span 4"});
    expectError(
        [&] {
            rd(stFile(
                R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})",
                "xxxx"));
        },
        {"overlaps"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", "xxxx")); }, {"hole"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", "xxxx")); },
                {"2 bytes at the end"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})", "xxxx")); },
                {"past the end", "truncated"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", "")); }, {"shape"});
    expectError(
        [&] { rd(stFile(R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", "")); },
        {"overflows"});
    expectError([&] { rd(stFile(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}})", "")); }, {"end before"});
    expectError([&] { rd(stFile(R"({"__metadata__":{"k":1}})", "")); }, {"__metadata__ value 'k'"});
    expectError([&] { rd(stFile(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", "x")); }, {"no dtype"});
    // Empty but valid.
    EXPECT_TRUE(rd(stFile("{}      ", "")).empty());
}

TEST(Safetensors, EveryPrefixAndByteFlipFailsCleanly) {
    const std::string whole = readBytes(fixture("hand.safetensors"));
    for (size_t n = 0; n < whole.size(); ++n)
        EXPECT_THROW(readSafetensorsFromMemory(whole.substr(0, n), "cut"), InputError) << n;
    for (size_t i = 0; i < whole.size(); ++i) {
        std::string bad = whole;
        bad[i] = char(bad[i] ^ 0x21);
        try {
            for (const RawTensor& t : readSafetensorsFromMemory(bad, "flip"))
                contiguousBytes(t);
        } catch (const InputError&) {
        }
    }
}

TEST(Safetensors, ShardedIndex) {
    TempDir dir;
    writeSafetensors(dir.file("model-00001-of-00002.safetensors"), {rawOf(DType::U8, {2}, {1}, "ab")},
                     {{"format", "pt"}});
    auto c = rawOf(DType::U8, {1}, {1}, "c");
    c.name = "c";
    writeSafetensors(dir.file("model-00002-of-00002.safetensors"), {c}, {});
    const json index = {
        {"metadata", {{"total_size", 3}}},
        {"weight_map", {{"t", "model-00001-of-00002.safetensors"}, {"c", "model-00002-of-00002.safetensors"}}}};
    writeBytes(dir.file("model.safetensors.index.json"), index.dump());
    const auto where = readSafetensorsIndex(dir.path());
    EXPECT_EQ(where.at("c"), dir.file("model-00002-of-00002.safetensors"));
    std::map<std::string, std::string> meta;
    const auto ts = readShardedSafetensors(dir.path(), &meta);
    ASSERT_EQ(ts.size(), 2u);
    EXPECT_EQ(ts[0].name, "t");
    EXPECT_EQ(contiguousBytes(ts[1]), "c");
    EXPECT_EQ(meta.at("format"), "pt");
    // A shard outside the folder, an index that misses a tensor.
    writeBytes(dir.file("model.safetensors.index.json"), R"({"weight_map": {"t": "../evil.safetensors"}})");
    expectError([&] { readSafetensorsIndex(dir.path()); }, {"'../evil.safetensors'", "plain file name"});
    writeBytes(dir.file("model.safetensors.index.json"),
               R"({"weight_map": {"t": "model-00001-of-00002.safetensors", "x": "model-00001-of-00002.safetensors"}})");
    expectError([&] { readShardedSafetensors(dir.path()); }, {"no tensor 'x'"});
}

TEST(TorchReader, RepeatedCopiesOfABigListAreBounded) {
    // torch.Size(list) copies the list; fetched again and again from the memo that
    // would cost time quadratic in the input. The unpickler stops it early.
    std::string pk = std::string("\x80\x02", 2) + "ctorch\nSize\nq\x01" + "](";
    for (int i = 0; i < 20000; ++i)
        pk += int1(1);
    pk += "eq\x02";
    for (int i = 0; i < 20000; ++i)
        pk += "h\x01(h\x02tR0";
    pk += "N.";
    expectError([&] { readMem(legacyStream(pk, {})); }, {"more container items"});
}

// ------------------------------------------------ fuzz regression cases --
// Inputs libFuzzer found (tests/fuzz/); each used to crash or misbehave.

} // namespace
} // namespace mm::io
