// GGUF writer and reader (core/io/gguf.*): metadata of every type, F32 / F16
// / Q8_0 tensors, dims order, alignment, the llama.cpp layout rules, atomic
// writes, hostile files, and the Llama helpers (q/k permutation vs RoPE).
//
// Torch-free; builds standalone:
//   g++ -std=c++17 -O2 -Wall -Wextra -Icore core/io/gguf_*.cpp tests/core/test_gguf.cpp
//       -lgtest -lgtest_main -pthread -o /tmp/test_gguf && /tmp/test_gguf
// With MM_WRITE_GGUF_SEEDS=<dir> it also writes a few small GGUF files there
// (fuzz seeds for tests/fuzz/fuzz_gguf.cpp).

#include "common/error.h"
#include "io/gguf.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mm::io;
namespace stdfs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        m_path =
            stdfs::temp_directory_path() / ("mm_gguf_test_" + std::to_string(stamp) + "_" + std::to_string(counter++));
        stdfs::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(m_path, ec);
    }
    std::string file(const std::string& name) const { return (m_path / name).string(); }
    std::vector<std::string> list() const {
        std::vector<std::string> out;
        for (const auto& e : stdfs::directory_iterator(m_path))
            out.push_back(e.path().filename().string());
        return out;
    }

private:
    stdfs::path m_path;
};

std::vector<float> randomFloats(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

/// Message of the mm::InputError `f` throws; fails the test when it throws nothing.
std::string inputErrorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const mm::InputError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected mm::InputError, got: " << e.what();
        return "";
    }
    ADD_FAILURE() << "expected mm::InputError, nothing thrown";
    return "";
}

std::string parseError(const std::vector<uint8_t>& bytes, const std::string& label = "bad.gguf") {
    return inputErrorOf([&] { GgufFile::fromMemory(bytes.data(), bytes.size(), label); });
}

// Little-endian builders for hand-made files.
void le(std::vector<uint8_t>& b, uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void str(std::vector<uint8_t>& b, const std::string& s) {
    le(b, s.size(), 8);
    b.insert(b.end(), s.begin(), s.end());
}
std::vector<uint8_t> header(uint64_t nTensors, uint64_t nKv, uint32_t version = 3) {
    std::vector<uint8_t> b = {'G', 'G', 'U', 'F'};
    le(b, version, 4);
    le(b, nTensors, 8);
    le(b, nKv, 8);
    return b;
}

/// A small file using every feature, for the truncation sweep and seeds.
GgufWriter sampleWriter() {
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setU32("llama.block_count", 2);
    w.setF32("llama.rope.freq_base", 1e6f);
    w.setBool("tokenizer.ggml.add_bos_token", false);
    w.setStrings("tokenizer.ggml.tokens", {"a", "b", "Ġc"});
    w.setI32s("tokenizer.ggml.token_type", {1, 3, 6});
    const auto a = randomFloats(2 * 64, 1);
    const auto b = randomFloats(3 * 5, 2);
    const auto c = randomFloats(4, 3);
    w.addTensor("q8", {2, 64}, a.data(), GgmlType::Q8_0);
    w.addTensor("f16", {3, 5}, b.data(), GgmlType::F16);
    w.addTensor("f32", {4}, c.data(), GgmlType::F32);
    return w;
}

} // namespace

// ---------------------------------------------------------------------------
// Conversions

TEST(Gguf, HalfConversionRoundsToNearestEven) {
    EXPECT_EQ(floatToHalf(0.0f), 0x0000);
    EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
    EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
    EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
    EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);  // largest half
    EXPECT_EQ(floatToHalf(65519.99f), 0x7bff); // below the midpoint
    EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);  // tie -> even = inf
    EXPECT_EQ(floatToHalf(1e10f), 0x7c00);
    EXPECT_EQ(floatToHalf(-std::numeric_limits<float>::infinity()), 0xfc00);
    EXPECT_EQ(floatToHalf(std::nanf("")) & 0x7e00, 0x7e00);           // a quiet NaN
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14)), 0x0400);            // smallest normal
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001);            // smallest subnormal
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000);            // tie -> even 0
    EXPECT_EQ(floatToHalf(std::ldexp(1.5f, -25)), 0x0001);            // above the tie
    EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -25)), 0x0002);            // 1.5 units: tie -> even 2
    EXPECT_EQ(floatToHalf(std::ldexp(5.0f, -25)), 0x0002);            // 2.5 units: tie -> even 2
    EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);     // tie between 1 and 1+2^-10 -> 1
    EXPECT_EQ(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02); // tie -> even mantissa 2
    EXPECT_EQ(floatToHalf(std::ldexp(1023.5f, -24)), 0x0400);         // subnormal carries into the normal range
    // Every half round-trips exactly through float.
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const uint16_t x = static_cast<uint16_t>(h);
        const float f = halfToFloat(x);
        if (std::isnan(f))
            continue;
        ASSERT_EQ(floatToHalf(f), x) << std::hex << h;
    }
    EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
    EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
    EXPECT_TRUE(std::isinf(halfToFloat(0x7c00)));
    EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
    EXPECT_EQ(bf16ToFloat(0xc040), -3.0f);
}

TEST(Gguf, HalfConversionMatchesNearestForRandomFloats) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-70000.0f, 70000.0f);
    for (int i = 0; i < 20000; ++i) {
        const float x = i % 2 ? dist(rng) : dist(rng) * 1e-6f;
        const uint16_t h = floatToHalf(x);
        const float y = halfToFloat(h);
        if (std::isinf(y)) {
            EXPECT_GE(std::fabs(x), 65520.0f);
            continue;
        }
        // No other half is strictly closer.
        const float up = halfToFloat(static_cast<uint16_t>(h + 1));
        const float down = halfToFloat(static_cast<uint16_t>(h - 1));
        if (!std::isnan(up) && !std::isinf(up)) {
            EXPECT_LE(std::fabs(y - x), std::fabs(up - x)) << x;
        }
        if (!std::isnan(down) && !std::isinf(down) && (h & 0x7fff) != 0) {
            EXPECT_LE(std::fabs(y - x), std::fabs(down - x)) << x;
        }
    }
}

TEST(Gguf, Q8_0BlockLayoutMatchesGgmlReference) {
    // amax 127 -> d = 1, id = 1: q = roundf(x), ties away from zero.
    std::vector<float> x(32, 0.0f);
    x[0] = 127.0f;
    x[1] = 2.5f;
    x[2] = -2.5f;
    x[3] = 0.49f;
    x[4] = -126.6f;
    x[5] = 3.5f;
    uint8_t out[34];
    quantizeQ8_0(x.data(), 32, out);
    EXPECT_EQ(out[0] | (out[1] << 8), 0x3c00); // fp16 1.0 first
    EXPECT_EQ(static_cast<int8_t>(out[2 + 0]), 127);
    EXPECT_EQ(static_cast<int8_t>(out[2 + 1]), 3); // roundf(2.5) = 3 (not RNE 2)
    EXPECT_EQ(static_cast<int8_t>(out[2 + 2]), -3);
    EXPECT_EQ(static_cast<int8_t>(out[2 + 3]), 0);
    EXPECT_EQ(static_cast<int8_t>(out[2 + 4]), -127);
    EXPECT_EQ(static_cast<int8_t>(out[2 + 5]), 4);
    for (int j = 6; j < 32; ++j)
        EXPECT_EQ(out[2 + j], 0);

    // An all-zero block: d = 0, id = 0.
    std::vector<float> z(32, 0.0f);
    quantizeQ8_0(z.data(), 32, out);
    for (uint8_t b : out)
        EXPECT_EQ(b, 0);

    // The scale is the float d (not its fp16 rounding): d = 0.1/127.
    std::vector<float> y(32, 0.05f);
    y[7] = -0.1f;
    quantizeQ8_0(y.data(), 32, out);
    const float d = 0.1f / 127.0f;
    EXPECT_EQ(out[0] | (out[1] << 8), floatToHalf(d));
    EXPECT_EQ(static_cast<int8_t>(out[2 + 7]), -127);
    EXPECT_EQ(static_cast<int8_t>(out[2 + 0]), static_cast<int8_t>(std::roundf(0.05f * (1.0f / d))));

    std::vector<float> bad(32, 1.0f);
    bad[3] = std::nanf("");
    EXPECT_NE(inputErrorOf([&] { quantizeQ8_0(bad.data(), 32, out); }).find("not finite"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Metadata

TEST(Gguf, MetadataOfEveryTypeRoundTrips) {
    GgufWriter w;
    w.set("t.u8", GgufValue::u8(255));
    w.set("t.i8", GgufValue::i8(-128));
    w.set("t.u16", GgufValue::u16(65535));
    w.set("t.i16", GgufValue::i16(-32768));
    w.setU32("t.u32", 4000000000u);
    w.setI32("t.i32", std::numeric_limits<int32_t>::min());
    w.setU64("t.u64", std::numeric_limits<uint64_t>::max());
    w.setI64("t.i64", std::numeric_limits<int64_t>::min());
    w.setF32("t.f32", 1e-5f);
    w.setF64("t.f64", 1e6 + 0.125);
    w.setBool("t.bool_true", true);
    w.setBool("t.bool_false", false);
    w.setString("t.str", std::string("h\xc3\xa9llo\0world", 12));
    w.setString("t.empty", "");
    w.set("t.a_u8", GgufValue::u8Array({0, 1, 255}));
    w.set("t.a_i8", GgufValue::i8Array({-1, 2}));
    w.set("t.a_u16", GgufValue::u16Array({7, 65535}));
    w.set("t.a_i16", GgufValue::i16Array({-7, 32767}));
    w.set("t.a_u32", GgufValue::u32Array({1, 4294967295u}));
    w.setI32s("t.a_i32", {-1, 0, 2147483647});
    w.set("t.a_u64", GgufValue::u64Array({1, 1ull << 63}));
    w.set("t.a_i64", GgufValue::i64Array({-5, std::numeric_limits<int64_t>::max()}));
    w.setF32s("t.a_f32", {0.5f, -1.25f, 3e38f});
    w.set("t.a_f64", GgufValue::f64Array({0.1, -2.0}));
    w.set("t.a_bool", GgufValue::boolArray({true, false, true}));
    w.setStrings("t.a_str", {"", "Ġthe", "<|im_end|>", std::string("\0x", 2)});
    w.setStrings("t.a_empty", {});
    w.setU32("t.replaced", 1);
    w.setU32("t.replaced", 2); // keeps its position, takes the new value

    const std::vector<uint8_t> bytes = w.serialize();
    const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size(), "mem.gguf");
    EXPECT_EQ(f.version(), 3u);
    ASSERT_EQ(f.metadata().size(), 28u);
    EXPECT_EQ(f.metadata()[26].first, "t.a_empty");
    // Every value comes back identical, type included.
    for (const auto& kv : f.metadata()) {
        const GgufValue* orig = w.find(kv.first);
        ASSERT_NE(orig, nullptr) << kv.first;
        EXPECT_EQ(*orig, kv.second) << kv.first << ": " << kv.second.describe();
    }
    EXPECT_EQ(f.get("t.u8").type(), GgufType::UInt8);
    EXPECT_EQ(f.getInt("t.u8"), 255);
    EXPECT_EQ(f.getInt("t.i8"), -128);
    EXPECT_EQ(f.getInt("t.u16"), 65535);
    EXPECT_EQ(f.getInt("t.i16"), -32768);
    EXPECT_EQ(f.getInt("t.u32"), 4000000000LL);
    EXPECT_EQ(f.getInt("t.i32"), std::numeric_limits<int32_t>::min());
    EXPECT_EQ(f.get("t.u64").toUInt(), std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(f.getInt("t.i64"), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(f.get("t.f32").type(), GgufType::Float32);
    EXPECT_EQ(static_cast<float>(f.getDouble("t.f32")), 1e-5f);
    EXPECT_EQ(f.getDouble("t.f64"), 1e6 + 0.125);
    EXPECT_TRUE(f.getBool("t.bool_true"));
    EXPECT_FALSE(f.getBool("t.bool_false"));
    EXPECT_EQ(f.getString("t.str"), std::string("h\xc3\xa9llo\0world", 12));
    EXPECT_EQ(f.getString("t.empty"), "");
    EXPECT_EQ(f.get("t.a_u8").toInts(), (std::vector<int64_t>{0, 1, 255}));
    EXPECT_EQ(f.get("t.a_i8").toInts(), (std::vector<int64_t>{-1, 2}));
    EXPECT_EQ(f.get("t.a_u16").toInts(), (std::vector<int64_t>{7, 65535}));
    EXPECT_EQ(f.get("t.a_i16").toInts(), (std::vector<int64_t>{-7, 32767}));
    EXPECT_EQ(f.get("t.a_u32").toInts(), (std::vector<int64_t>{1, 4294967295LL}));
    EXPECT_EQ(f.get("t.a_i32").arrayType(), GgufType::Int32);
    EXPECT_EQ(f.get("t.a_i32").toInts(), (std::vector<int64_t>{-1, 0, 2147483647}));
    EXPECT_EQ(f.get("t.a_i64").toInts(), (std::vector<int64_t>{-5, std::numeric_limits<int64_t>::max()}));
    EXPECT_EQ(f.get("t.a_f32").toFloats(), (std::vector<float>{0.5f, -1.25f, 3e38f}));
    EXPECT_EQ(f.get("t.a_f64").toDoubles(), (std::vector<double>{0.1, -2.0}));
    EXPECT_EQ(f.get("t.a_bool").toInts(), (std::vector<int64_t>{1, 0, 1}));
    EXPECT_EQ(f.getStrings("t.a_str"), (std::vector<std::string>{"", "Ġthe", "<|im_end|>", std::string("\0x", 2)}));
    EXPECT_EQ(f.get("t.a_empty").size(), 0u);
    EXPECT_EQ(f.getInt("t.replaced"), 2);
    EXPECT_EQ(f.metadata()[27].first, "t.replaced");
    EXPECT_TRUE(f.tensors().empty());

    // Typed getters name the file and the key.
    const std::string e1 = inputErrorOf([&] { f.getString("t.u32"); });
    EXPECT_NE(e1.find("mem.gguf"), std::string::npos) << e1;
    EXPECT_NE(e1.find("t.u32"), std::string::npos) << e1;
    EXPECT_NE(e1.find("not a string"), std::string::npos) << e1;
    EXPECT_NE(inputErrorOf([&] { f.get("no.such.key"); }).find("missing GGUF key 'no.such.key'"), std::string::npos);
    EXPECT_NE(inputErrorOf([&] { f.get("t.u64").toInt(); }).find("does not fit"), std::string::npos);
    EXPECT_NE(inputErrorOf([&] { f.get("t.i8").toUInt(); }).find("negative"), std::string::npos);
    EXPECT_NE(inputErrorOf([&] { f.get("t.a_f32").toInts(); }).find("array of integers"), std::string::npos);
}

TEST(Gguf, WriterRejectsBadKeysAndAlignment) {
    GgufWriter w;
    EXPECT_FALSE(inputErrorOf([&] { w.setU32("", 1); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.setU64("general.alignment", 64); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.setU32("general.alignment", 48); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { GgufWriter bad(12); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { GgufWriter bad(0); }).empty());
}

// ---------------------------------------------------------------------------
// Tensors

TEST(Gguf, F32TensorsRoundTripExactlyWithDimsReversed) {
    GgufWriter w;
    const auto a = randomFloats(3 * 5 * 64, 11);
    const auto b = randomFloats(7, 12);
    const auto c = randomFloats(2 * 3 * 4 * 5, 13);
    EXPECT_EQ(w.addTensor("a", {3, 5, 64}, a.data(), GgmlType::F32), GgmlType::F32);
    w.addTensor("b", {7}, b.data(), GgmlType::F32);
    w.addTensor("c", {2, 3, 4, 5}, c.data(), GgmlType::F32);
    const auto bytes = w.serialize();
    const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size());
    ASSERT_EQ(f.tensors().size(), 3u);
    const GgufTensorInfo& ta = f.tensors()[0];
    EXPECT_EQ(ta.name, "a");
    EXPECT_EQ(ta.ne, (std::vector<uint64_t>{64, 5, 3})); // ne[0] innermost
    EXPECT_EQ(ta.shape, (std::vector<int64_t>{3, 5, 64}));
    EXPECT_EQ(ta.type, static_cast<uint32_t>(GgmlType::F32));
    EXPECT_EQ(ta.numel, 3 * 5 * 64);
    EXPECT_EQ(ta.nbytes, 3u * 5 * 64 * 4);
    EXPECT_EQ(f.readFloat("a"), a);
    EXPECT_EQ(f.readFloat("b"), b);
    EXPECT_EQ(f.tensors()[2].ne, (std::vector<uint64_t>{5, 4, 3, 2}));
    EXPECT_EQ(f.readFloat("c"), c);
    // The bytes are plain row-major little-endian float32.
    const auto raw = f.readRaw(ta);
    float second;
    std::memcpy(&second, raw.data() + 4, 4);
    EXPECT_EQ(second, a[1]);
    EXPECT_NE(inputErrorOf([&] { f.readFloat("missing"); }).find("no tensor 'missing'"), std::string::npos);
}

TEST(Gguf, F16TensorsRoundTripWithinHalfPrecision) {
    GgufWriter w;
    auto a = randomFloats(4 * 33, 21, 3.0f);
    a[0] = 65504.0f;
    a[1] = -1e-6f;
    a[2] = 0.0f;
    w.addTensor("h", {4, 33}, a.data(), GgmlType::F16);
    const auto bytes = w.serialize();
    const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size());
    EXPECT_EQ(f.tensors()[0].type, static_cast<uint32_t>(GgmlType::F16));
    EXPECT_EQ(f.tensors()[0].nbytes, 4u * 33 * 2);
    const auto back = f.readFloat("h");
    ASSERT_EQ(back.size(), a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        // Relative 2^-11 for normal halves, absolute 2^-25 below.
        EXPECT_LE(std::fabs(back[i] - a[i]), std::max(std::fabs(a[i]) * 4.8828125e-4f, 2.9802322e-8f)) << i;
        EXPECT_EQ(back[i], halfToFloat(floatToHalf(a[i])));
    }
}

TEST(Gguf, Q8_0TensorsRoundTripWithinQuantisationError) {
    GgufWriter w;
    auto a = randomFloats(6 * 96, 31, 0.05f);
    for (int j = 0; j < 32; ++j)
        a[32 + j] = 0.0f; // a zero block
    a[100] = 3.0f;        // an outlier in its block
    EXPECT_EQ(w.addTensor("q", {6, 96}, a.data(), GgmlType::Q8_0), GgmlType::Q8_0);
    EXPECT_TRUE(w.notes().empty());
    const auto bytes = w.serialize();
    const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size());
    const GgufTensorInfo& t = f.tensors()[0];
    EXPECT_EQ(t.type, static_cast<uint32_t>(GgmlType::Q8_0));
    EXPECT_EQ(t.ne, (std::vector<uint64_t>{96, 6}));
    EXPECT_EQ(t.nbytes, 6u * 96 / 32 * 34);
    const auto back = f.readFloat(t);
    ASSERT_EQ(back.size(), a.size());
    for (size_t b = 0; b < a.size() / 32; ++b) {
        float amax = 0;
        for (int j = 0; j < 32; ++j)
            amax = std::max(amax, std::fabs(a[b * 32 + j]));
        // Half a quantisation step, plus the fp16 rounding of the scale (127 * 2^-11 relative).
        const float tol = amax / 127.0f * (0.5f + 127.0f / 2048.0f) + 1e-12f;
        for (int j = 0; j < 32; ++j)
            EXPECT_LE(std::fabs(back[b * 32 + j] - a[b * 32 + j]), tol) << b << "," << j;
    }
    for (int j = 0; j < 32; ++j)
        EXPECT_EQ(back[32 + j], 0.0f);
    // Same bytes as quantizeQ8_0 on the flat data (blocks run along rows).
    std::vector<uint8_t> ref(t.nbytes);
    quantizeQ8_0(a.data(), static_cast<int64_t>(a.size()), ref.data());
    EXPECT_EQ(f.readRaw(t), ref);
}

TEST(Gguf, Q8_0FallsBackToF16WhenRowsDoNotSplitIntoBlocks) {
    GgufWriter w;
    const auto a = randomFloats(64 * 50, 41);
    const auto b = randomFloats(50, 42);
    EXPECT_EQ(w.addTensor("odd", {64, 50}, a.data(), GgmlType::Q8_0), GgmlType::F16);
    EXPECT_EQ(w.addTensor("vec", {50}, b.data(), GgmlType::Q8_0), GgmlType::F16);
    ASSERT_EQ(w.notes().size(), 2u);
    EXPECT_NE(w.notes()[0].find("odd"), std::string::npos);
    EXPECT_NE(w.notes()[0].find("50"), std::string::npos);
    EXPECT_NE(w.notes()[0].find("f16"), std::string::npos);
    const auto bytes = w.serialize();
    const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size());
    EXPECT_EQ(f.tensors()[0].type, static_cast<uint32_t>(GgmlType::F16));
    // 32 rows is not the point: the innermost dim (64 rows x 50 cols -> 50) is.
    GgufWriter w2;
    const auto c = randomFloats(50 * 64, 43);
    EXPECT_EQ(w2.addTensor("t", {50, 64}, c.data(), GgmlType::Q8_0), GgmlType::Q8_0);
}

TEST(Gguf, WriterRejectsBadTensors) {
    GgufWriter w;
    const auto a = randomFloats(64, 1);
    w.addTensor("x", {64}, a.data(), GgmlType::F32);
    EXPECT_NE(inputErrorOf([&] { w.addTensor("x", {64}, a.data(), GgmlType::F32); }).find("twice"), std::string::npos);
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor("", {64}, a.data(), GgmlType::F32); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor(std::string(64, 'n'), {64}, a.data(), GgmlType::F32); }).empty());
    w.addTensor(std::string(63, 'n'), {64}, a.data(), GgmlType::F32);
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor("z", {}, a.data(), GgmlType::F32); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor("z", {1, 1, 1, 1, 64}, a.data(), GgmlType::F32); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor("z", {0, 64}, a.data(), GgmlType::F32); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor("z", {64}, nullptr, GgmlType::F32); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { w.addTensor("z", {64}, a.data(), GgmlType::Q4_K); }).empty());
    auto nan = a;
    nan[5] = std::numeric_limits<float>::infinity();
    const std::string e = inputErrorOf([&] { w.addTensor("z", {64}, nan.data(), GgmlType::Q8_0); });
    EXPECT_NE(e.find("'z'"), std::string::npos) << e;
    w.addTensor("z", {64}, nan.data(), GgmlType::F16); // inf is a half
}

TEST(Gguf, DataIsAlignedAndLaidOutAsLlamaCppRequires) {
    for (uint32_t align : {32u, 64u, 8u}) {
        GgufWriter w(align);
        w.setString("general.architecture", "llama");
        w.setString("odd.length", "xyz"); // header size not a multiple of anything
        const auto a = randomFloats(3 * 7, 1), b = randomFloats(64 * 2, 2), c = randomFloats(5, 3);
        w.addTensor("a", {3, 7}, a.data(), GgmlType::F16);   // 42 bytes
        w.addTensor("b", {2, 64}, b.data(), GgmlType::Q8_0); // 136 bytes
        w.addTensor("c", {5}, c.data(), GgmlType::F32);      // 20 bytes
        const auto bytes = w.serialize();
        const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size());
        EXPECT_EQ(f.alignment(), align);
        EXPECT_EQ(f.find("general.alignment") != nullptr, align != 32) << align;
        if (align != 32) {
            EXPECT_EQ(f.get("general.alignment").type(), GgufType::UInt32);
        }
        EXPECT_EQ(f.dataOffset() % align, 0u);
        EXPECT_EQ(bytes.size() % align, 0u); // the last tensor is padded too
        // llama.cpp (gguf.cpp) wants offsets to be the running padded sum.
        uint64_t expect = 0;
        for (const auto& t : f.tensors()) {
            EXPECT_EQ(t.offset, expect) << t.name;
            EXPECT_EQ(t.offset % align, 0u);
            expect += (t.nbytes + align - 1) / align * align;
        }
        EXPECT_EQ(f.dataOffset() + expect, bytes.size());
        // Padding is zeros.
        for (uint64_t i = f.dataOffset() + f.tensors()[0].nbytes; i < f.dataOffset() + f.tensors()[1].offset; ++i)
            EXPECT_EQ(bytes[i], 0);
        EXPECT_EQ(f.readFloat("c"), c);
    }
}

TEST(Gguf, WritesAtomicallyAndReadsBackFromFile) {
    TempDir dir;
    const std::string path = dir.file("model.gguf");
    { std::ofstream(path) << "old"; }
    GgufWriter w = sampleWriter();
    w.write(path);
    EXPECT_EQ(dir.list(), std::vector<std::string>{"model.gguf"}); // no temporary left
    const GgufFile f = GgufFile::open(path);
    EXPECT_EQ(f.label(), path);
    EXPECT_EQ(f.fileSize(), stdfs::file_size(path));
    EXPECT_EQ(f.getString("general.architecture"), "llama");
    EXPECT_EQ(f.getStrings("tokenizer.ggml.tokens"), (std::vector<std::string>{"a", "b", "Ġc"}));
    const auto mem = w.serialize();
    const GgufFile g = GgufFile::fromMemory(mem.data(), mem.size());
    for (const auto& t : f.tensors())
        EXPECT_EQ(f.readFloat(t), g.readFloat(t.name)) << t.name;
    // Read out of order (the file source seeks).
    EXPECT_EQ(f.readFloat("f32"), g.readFloat("f32"));
    EXPECT_EQ(f.readFloat("q8"), g.readFloat("q8"));

    // An unwritable destination: IoError naming the path, nothing left behind.
    const std::string bad = dir.file("no/such/dir/m.gguf");
    try {
        w.write(bad);
        ADD_FAILURE() << "expected IoError";
    } catch (const mm::IoError& e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
    EXPECT_THROW(GgufFile::open(dir.file("absent.gguf")), mm::IoError);
}

// ---------------------------------------------------------------------------
// Hostile files

TEST(Gguf, EveryTruncationIsRejectedWithAMessage) {
    const auto bytes = sampleWriter().serialize();
    GgufFile::fromMemory(bytes.data(), bytes.size()); // whole: fine
    // Every strict prefix that cuts into the header, the tensor infos or the data.
    const GgufFile whole = GgufFile::fromMemory(bytes.data(), bytes.size());
    const uint64_t lastDataEnd = whole.dataOffset() + whole.tensors().back().offset + whole.tensors().back().nbytes;
    for (size_t n = 0; n < lastDataEnd; ++n) {
        const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        const std::string e = parseError(cut, "cut.gguf");
        ASSERT_NE(e.find("cut.gguf"), std::string::npos) << n << ": " << e;
        ASSERT_NE(e.find("not a valid GGUF"), std::string::npos) << n << ": " << e;
    }
    // A file truncated in the data says which tensor.
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(lastDataEnd - 1));
    EXPECT_NE(parseError(cut).find("tensor \"f32\""), std::string::npos) << parseError(cut);
    // Trailing padding of the last tensor may be missing (llama.cpp does not read it).
    const std::vector<uint8_t> unpadded(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(lastDataEnd));
    EXPECT_NO_THROW(GgufFile::fromMemory(unpadded.data(), unpadded.size()));
}

TEST(Gguf, GarbageIsRejectedWithMessages) {
    auto expectError = [](const std::vector<uint8_t>& b, const std::string& needle) {
        const std::string e = parseError(b, "x.gguf");
        EXPECT_NE(e.find(needle), std::string::npos) << "wanted '" << needle << "' in: " << e;
        EXPECT_NE(e.find("x.gguf"), std::string::npos) << e;
    };
    expectError({}, "truncated");
    expectError({'G', 'G', 'U', 'G', 3, 0, 0, 0}, "does not start with \"GGUF\"");
    expectError(std::vector<uint8_t>(64, 0), "does not start");
    expectError(header(0, 0, 1), "v1 is not supported");
    expectError(header(0, 0, 4), "unsupported version 4");
    expectError(header(0, 0, 0x03000000), "big-endian");
    EXPECT_NO_THROW(GgufFile::fromMemory(header(0, 0).data(), header(0, 0).size()));
    EXPECT_NO_THROW(GgufFile::fromMemory(header(0, 0, 2).data(), header(0, 0, 2).size()));
    expectError(header(0, 1ull << 62), "claims 4611686018427387904 key/values");
    expectError(header(~0ull, 0), "tensors but only");

    { // a string longer than the file
        auto b = header(0, 1);
        le(b, 1ull << 60, 8);
        b.resize(b.size() + 16, 'k');
        expectError(b, "runs past the end");
    }
    { // empty key
        auto b = header(0, 1);
        str(b, "");
        le(b, 4, 4);
        le(b, 1, 4);
        expectError(b, "empty key");
    }
    { // invalid value type
        auto b = header(0, 1);
        str(b, "k");
        le(b, 13, 4);
        le(b, 0, 8);
        expectError(b, "invalid value type 13");
    }
    { // bool that is neither 0 nor 1
        auto b = header(0, 1);
        str(b, "k");
        le(b, 7, 4);
        b.push_back(2);
        expectError(b, "not 0 or 1");
    }
    { // nested array
        auto b = header(0, 1);
        str(b, "k");
        le(b, 9, 4);
        le(b, 9, 4);
        le(b, 0, 8);
        expectError(b, "nested array");
    }
    { // huge array count
        auto b = header(0, 1);
        str(b, "k");
        le(b, 9, 4);
        le(b, 12, 4);
        le(b, 1ull << 61, 8);
        expectError(b, "runs past the end");
    }
    { // huge string-array count
        auto b = header(0, 1);
        str(b, "k");
        le(b, 9, 4);
        le(b, 8, 4);
        le(b, ~0ull, 8);
        expectError(b, "strings runs past the end");
    }
    { // duplicate key
        auto b = header(0, 2);
        for (int i = 0; i < 2; ++i) {
            str(b, "k");
            le(b, 4, 4);
            le(b, 1, 4);
        }
        expectError(b, "duplicate key \"k\"");
    }
    { // alignment of the wrong type / not a power of two
        auto b = header(0, 1);
        str(b, "general.alignment");
        le(b, 10, 4);
        le(b, 32, 8);
        expectError(b, "not a u32");
        auto c = header(0, 1);
        str(c, "general.alignment");
        le(c, 4, 4);
        le(c, 24, 4);
        expectError(c, "not a power of two");
        auto d = header(0, 1);
        str(d, "general.alignment");
        le(d, 4, 4);
        le(d, 0, 4);
        expectError(d, "not a power of two");
    }
    auto tensorFile = [](const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset,
                         size_t dataBytes) {
        auto b = header(1, 0);
        str(b, name);
        le(b, ne.size(), 4);
        for (uint64_t d : ne)
            le(b, d, 8);
        le(b, type, 4);
        le(b, offset, 8);
        while (b.size() % 32)
            b.push_back(0);
        b.resize(b.size() + dataBytes, 0);
        return b;
    };
    EXPECT_NO_THROW({
        auto b = tensorFile("t", {4, 2}, 0, 0, 32);
        GgufFile::fromMemory(b.data(), b.size());
    });
    expectError(tensorFile("t", {4, 2}, 0, 0, 31), "runs past the end");
    expectError(tensorFile("t", {4, 2}, 0, 32, 32), "runs past the end");
    expectError(tensorFile("t", {4, 2}, 0, 16, 64), "not a multiple of the alignment");
    expectError(tensorFile("t", {4, 2}, 0, ~0ull & ~31ull, 64), "runs past the end");
    expectError(tensorFile("t", {1, 1, 1, 1, 1}, 0, 0, 32), "5 dimensions");
    expectError(tensorFile("t", {1ull << 63}, 0, 0, 32), "out of range");
    expectError(tensorFile("t", {1ull << 32, 1ull << 32}, 0, 0, 32), "overflows");
    expectError(tensorFile("t", {4}, 4, 0, 32), "unknown ggml type 4");
    expectError(tensorFile("t", {4}, 99, 0, 32), "unknown ggml type 99");
    expectError(tensorFile("t", {48}, 8, 0, 64), "not a multiple of the q8_0 block size");
    expectError(tensorFile("", {4}, 0, 0, 32), "empty name");
    expectError(tensorFile(std::string(64, 'x'), {4}, 0, 0, 32), "longer than 63");
    {
        auto b = header(2, 0);
        for (int i = 0; i < 2; ++i) {
            str(b, "t");
            le(b, 1, 4);
            le(b, 4, 8);
            le(b, 0, 4);
            le(b, 0, 8);
        }
        b.resize(128, 0);
        expectError(b, "duplicate tensor name \"t\"");
    }
    { // types it parses but does not decode
        auto b = tensorFile("k", {256}, 12, 0, 160);
        const GgufFile f = GgufFile::fromMemory(b.data(), b.size());
        EXPECT_EQ(f.tensors()[0].nbytes, 144u);
        EXPECT_NE(inputErrorOf([&] { f.readFloat("k"); }).find("q4_K"), std::string::npos);
    }
    { // bf16 decodes
        auto b = tensorFile("b", {2}, 30, 0, 32);
        const size_t at = b.size() - 32;
        b[at] = 0x80, b[at + 1] = 0x3f, b[at + 2] = 0x40, b[at + 3] = 0xc0; // 1.0, -3.0
        const GgufFile f = GgufFile::fromMemory(b.data(), b.size());
        EXPECT_EQ(f.readFloat("b"), (std::vector<float>{1.0f, -3.0f}));
    }
    { // zero-size dims are allowed (as in ggml)
        auto b = tensorFile("z", {0, 3}, 0, 0, 0);
        const GgufFile f = GgufFile::fromMemory(b.data(), b.size());
        EXPECT_TRUE(f.readFloat("z").empty());
    }
}

TEST(Gguf, RandomCorruptionNeverCrashes) {
    // Flip bytes of a valid file: it parses or throws InputError, nothing else.
    const auto good = sampleWriter().serialize();
    std::mt19937 rng(99);
    for (int iter = 0; iter < 3000; ++iter) {
        auto b = good;
        const int flips = 1 + iter % 4;
        for (int k = 0; k < flips; ++k)
            b[rng() % b.size()] = static_cast<uint8_t>(rng());
        try {
            const GgufFile f = GgufFile::fromMemory(b.data(), b.size());
            for (const auto& t : f.tensors()) {
                try {
                    f.readFloat(t);
                } catch (const mm::InputError&) {
                }
            }
        } catch (const mm::InputError&) {
        }
    }
}

// ---------------------------------------------------------------------------
// Llama helpers

namespace {

/// HF Llama RoPE (rotate_half) on one head vector at position pos.
std::vector<float> ropeHf(const std::vector<float>& x, int pos, double theta) {
    const size_t d = x.size(), h = d / 2;
    std::vector<float> out(d);
    for (size_t i = 0; i < h; ++i) {
        const double f = pos / std::pow(theta, 2.0 * i / d);
        out[i] = static_cast<float>(x[i] * std::cos(f) - x[i + h] * std::sin(f));
        out[i + h] = static_cast<float>(x[i + h] * std::cos(f) + x[i] * std::sin(f));
    }
    return out;
}
/// llama.cpp LLAMA_ROPE_TYPE_NORM: rotates adjacent pairs.
std::vector<float> ropeNorm(const std::vector<float>& x, int pos, double theta) {
    const size_t d = x.size();
    std::vector<float> out(d);
    for (size_t i = 0; i < d / 2; ++i) {
        const double f = pos / std::pow(theta, 2.0 * i / d);
        out[2 * i] = static_cast<float>(x[2 * i] * std::cos(f) - x[2 * i + 1] * std::sin(f));
        out[2 * i + 1] = static_cast<float>(x[2 * i + 1] * std::cos(f) + x[2 * i] * std::sin(f));
    }
    return out;
}

} // namespace

TEST(Gguf, QkPermutationTurnsRotateHalfIntoInterleavedRope) {
    // Formula: out_row[h*hd + 2i + s] = in_row[h*hd + s*hd/2 + i].
    const int nHead = 2, hd = 4, cols = 3;
    std::vector<float> w(nHead * hd * cols);
    for (size_t i = 0; i < w.size(); ++i)
        w[i] = static_cast<float>(i / cols); // value = row index
    const auto p = permuteQkForGguf(w.data(), nHead * hd, cols, nHead);
    const std::vector<float> rowOrder = {0, 2, 1, 3, 4, 6, 5, 7};
    for (int r = 0; r < nHead * hd; ++r)
        for (int c = 0; c < cols; ++c)
            EXPECT_EQ(p[r * cols + c], rowOrder[r]) << r;
    EXPECT_EQ(unpermuteQkFromGguf(p.data(), nHead * hd, cols, nHead), w);

    // q = W x; RoPE_hf(W x) per head == unpermute(RoPE_norm(permute(W) x)).
    const int heads = 3, dim = 8, in = 5;
    const auto W = randomFloats(heads * dim * in, 5);
    const auto x = randomFloats(in, 6);
    const auto Wp = permuteQkForGguf(W.data(), heads * dim, in, heads);
    auto matvec = [&](const std::vector<float>& M) {
        std::vector<float> y(heads * dim, 0.0f);
        for (int r = 0; r < heads * dim; ++r)
            for (int c = 0; c < in; ++c)
                y[r] += M[r * in + c] * x[c];
        return y;
    };
    const auto q = matvec(W), qp = matvec(Wp);
    for (int pos : {0, 1, 7, 300}) {
        for (int h = 0; h < heads; ++h) {
            const std::vector<float> a(q.begin() + h * dim, q.begin() + (h + 1) * dim);
            const std::vector<float> b(qp.begin() + h * dim, qp.begin() + (h + 1) * dim);
            const auto ra = ropeHf(a, pos, 1e6);
            const auto rb = ropeNorm(b, pos, 1e6);
            for (int i = 0; i < dim / 2; ++i) {
                EXPECT_NEAR(ra[i], rb[2 * i], 1e-5) << pos << " " << h << " " << i;
                EXPECT_NEAR(ra[i + dim / 2], rb[2 * i + 1], 1e-5);
            }
        }
    }
    EXPECT_FALSE(inputErrorOf([&] { permuteQkForGguf(W.data(), 10, in, 3); }).empty());
    EXPECT_FALSE(inputErrorOf([&] { permuteQkForGguf(W.data(), 6, in, 2); }).empty()); // odd head dim
}

TEST(Gguf, TensorNamesMapBothWays) {
    EXPECT_EQ(ggufNameForHf("model.embed_tokens.weight"), "token_embd.weight");
    EXPECT_EQ(ggufNameForHf("model.norm.weight"), "output_norm.weight");
    EXPECT_EQ(ggufNameForHf("lm_head.weight"), "output.weight");
    EXPECT_EQ(ggufNameForHf("model.layers.0.input_layernorm.weight"), "blk.0.attn_norm.weight");
    EXPECT_EQ(ggufNameForHf("model.layers.11.self_attn.q_proj.weight"), "blk.11.attn_q.weight");
    EXPECT_EQ(ggufNameForHf("model.layers.1.self_attn.o_proj.weight"), "blk.1.attn_output.weight");
    EXPECT_EQ(ggufNameForHf("model.layers.2.post_attention_layernorm.weight"), "blk.2.ffn_norm.weight");
    EXPECT_EQ(ggufNameForHf("model.layers.3.mlp.down_proj.weight"), "blk.3.ffn_down.weight");
    EXPECT_EQ(ggufNameForHf("model.layers.x.mlp.down_proj.weight"), "");
    EXPECT_EQ(ggufNameForHf("model.layers.3.mlp.experts.weight"), "");
    for (const std::string n : {"model.embed_tokens.weight", "model.layers.7.self_attn.k_proj.weight",
                                "model.layers.7.self_attn.v_proj.weight", "model.layers.0.mlp.gate_proj.weight",
                                "model.layers.0.mlp.up_proj.weight"})
        EXPECT_EQ(hfNameForGguf(ggufNameForHf(n)), n);
    EXPECT_EQ(llamaTensorType("blk.0.attn_norm.weight", {64}, GgmlType::Q8_0), GgmlType::F32);
    EXPECT_EQ(llamaTensorType("output_norm.weight", {64}, GgmlType::F16), GgmlType::F32);
    EXPECT_EQ(llamaTensorType("blk.0.attn_q.weight", {64, 64}, GgmlType::Q8_0), GgmlType::Q8_0);
}

TEST(Gguf, LlamaMetadataHasTheKeysAndTypesLlamaCppReads) {
    LlamaGgufSpec s;
    s.vocab = 8;
    s.hidden = 64;
    s.layers = 2;
    s.heads = 4;
    s.kvHeads = 2;
    s.ffn = 192;
    s.contextLength = 512;
    s.ropeTheta = 1e6;
    s.rmsEps = 1e-5;
    s.name = "tiny";
    s.fileType = 7;
    GgufVocab v;
    v.model = "gpt2";
    v.tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "a", "b", "ab"};
    v.types = {3, 3, 3, 1, 1, 1};
    v.merges = {"a b"};
    v.bos = 1;
    v.eos = 2;
    v.pad = 0;
    v.unk = 0;
    v.chatTemplate = "{{ messages }}";
    GgufWriter w;
    addLlamaMetadata(w, s, v);
    const auto bytes = w.serialize();
    const GgufFile f = GgufFile::fromMemory(bytes.data(), bytes.size());
    auto typeOf = [&](const char* k) { return f.get(k).type(); };
    EXPECT_EQ(f.getString("general.architecture"), "llama");
    EXPECT_EQ(f.getString("general.name"), "tiny");
    EXPECT_EQ(typeOf("general.quantization_version"), GgufType::UInt32);
    EXPECT_EQ(f.getInt("general.file_type"), 7);
    for (const char* k : {"llama.vocab_size", "llama.context_length", "llama.embedding_length", "llama.block_count",
                          "llama.feed_forward_length", "llama.attention.head_count", "llama.attention.head_count_kv",
                          "llama.rope.dimension_count", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                          "tokenizer.ggml.padding_token_id", "tokenizer.ggml.unknown_token_id"})
        EXPECT_EQ(typeOf(k), GgufType::UInt32) << k;
    for (const char* k : {"llama.rope.freq_base", "llama.attention.layer_norm_rms_epsilon"})
        EXPECT_EQ(typeOf(k), GgufType::Float32) << k;
    for (const char* k :
         {"tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token", "tokenizer.ggml.add_space_prefix"})
        EXPECT_EQ(typeOf(k), GgufType::Bool) << k;
    EXPECT_EQ(f.getInt("llama.rope.dimension_count"), 16);
    EXPECT_EQ(f.getInt("llama.attention.head_count_kv"), 2);
    EXPECT_EQ(f.getDouble("llama.rope.freq_base"), 1e6);
    EXPECT_EQ(static_cast<float>(f.getDouble("llama.attention.layer_norm_rms_epsilon")), 1e-5f);
    EXPECT_EQ(f.getString("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(f.getString("tokenizer.ggml.pre"), "gpt-2");
    // Padded to the model's vocabulary as convert_hf_to_gguf does.
    EXPECT_EQ(
        f.getStrings("tokenizer.ggml.tokens"),
        (std::vector<std::string>{"<|endoftext|>", "<|im_start|>", "<|im_end|>", "a", "b", "ab", "[PAD6]", "[PAD7]"}));
    EXPECT_EQ(f.get("tokenizer.ggml.token_type").arrayType(), GgufType::Int32);
    EXPECT_EQ(f.get("tokenizer.ggml.token_type").toInts(), (std::vector<int64_t>{3, 3, 3, 1, 1, 1, 5, 5}));
    EXPECT_EQ(f.getStrings("tokenizer.ggml.merges"), std::vector<std::string>{"a b"});
    EXPECT_EQ(f.find("tokenizer.ggml.scores"), nullptr);
    EXPECT_FALSE(f.getBool("tokenizer.ggml.add_bos_token"));
    EXPECT_EQ(f.getString("tokenizer.chat_template"), "{{ messages }}");

    // SentencePiece flavour.
    GgufVocab sp;
    sp.model = "llama";
    sp.tokens = {"<unk>", "<s>", "</s>", "<0x0A>",
                 "\xe2\x96\x81"
                 "a"};
    sp.scores = {0, 0, 0, 0, -1.5f};
    sp.types = {2, 3, 3, 6, 1};
    sp.bos = 1, sp.eos = 2, sp.unk = 0;
    GgufWriter w2;
    s.vocab = 5;
    addLlamaMetadata(w2, s, sp);
    EXPECT_EQ(w2.find("tokenizer.ggml.pre")->toString(), "default");
    EXPECT_EQ(w2.find("tokenizer.ggml.scores")->arrayType(), GgufType::Float32);
    EXPECT_FALSE(w2.find("tokenizer.ggml.add_space_prefix")->toBool());
    EXPECT_EQ(w2.find("tokenizer.ggml.merges"), nullptr);

    // Inconsistent specs are refused.
    auto refused = [&](LlamaGgufSpec bs, GgufVocab bv) {
        GgufWriter x;
        return !inputErrorOf([&] { addLlamaMetadata(x, bs, bv); }).empty();
    };
    LlamaGgufSpec b1 = s;
    b1.kvHeads = 3;
    EXPECT_TRUE(refused(b1, sp));
    LlamaGgufSpec b2 = s;
    b2.vocab = 4; // fewer embeddings than tokens
    EXPECT_TRUE(refused(b2, sp));
    GgufVocab b3 = sp;
    b3.scores.clear();
    EXPECT_TRUE(refused(s, b3));
    GgufVocab b4 = sp;
    b4.eos = 99;
    EXPECT_TRUE(refused(s, b4));
    GgufVocab b5 = v;
    b5.merges.clear();
    LlamaGgufSpec s8 = s;
    s8.vocab = 8;
    EXPECT_TRUE(refused(s8, b5));
    GgufVocab b6 = sp;
    b6.model = "bert";
    EXPECT_TRUE(refused(s, b6));
}

// ---------------------------------------------------------------------------
// Fuzz seeds on request.

TEST(Gguf, WritesFuzzSeedsWhenAsked) {
    const char* dir = std::getenv("MM_WRITE_GGUF_SEEDS");
    if (!dir || !*dir)
        GTEST_SKIP() << "set MM_WRITE_GGUF_SEEDS=<dir> to write fuzz seeds";
    stdfs::create_directories(dir);
    sampleWriter().write((stdfs::path(dir) / "sample.gguf").string());
    GgufWriter meta(64);
    meta.set("a.b", GgufValue::boolArray({true, false}));
    meta.set("a.c", GgufValue::i64Array({-1, 2}));
    meta.setF64("a.d", 0.5);
    meta.write((stdfs::path(dir) / "meta-align64.gguf").string());
    LlamaGgufSpec s{8, 64, 1, 4, 2, 96, 128, 1e6, 1e-5, "seed", 7};
    GgufVocab v;
    v.model = "gpt2";
    v.tokens = {"<|endoftext|>", "a", "b", "ab"};
    v.types = {3, 1, 1, 1};
    v.merges = {"a b"};
    v.bos = v.eos = 0;
    GgufWriter m;
    addLlamaMetadata(m, s, v);
    const auto e = randomFloats(8 * 64, 1), n = randomFloats(64, 2);
    m.addTensor("token_embd.weight", {8, 64}, e.data(), GgmlType::Q8_0);
    m.addTensor("output_norm.weight", {64}, n.data(), GgmlType::F32);
    m.write((stdfs::path(dir) / "llama-tiny.gguf").string());
}
