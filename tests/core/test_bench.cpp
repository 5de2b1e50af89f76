// The benchmark's anchor: parsing the anchor script's output and the checks
// made before anything is measured.

#include "bench/anchor.h"
#include "common/error.h"
#include "core/fixtures.h"

#include <gtest/gtest.h>

using namespace mm;

TEST(BenchAnchor, ParsesTheScriptsLines) {
    bench::AnchorResult r;
    EXPECT_TRUE(bench::parseAnchorOutput("step_s=10.447 params=25829888\ntokens_per_s=392.1 params=25829888\n", r));
    EXPECT_DOUBLE_EQ(r.tokensPerSec, 392.1);
    EXPECT_DOUBLE_EQ(r.stepSeconds, 10.447);
    EXPECT_EQ(r.parameters, 25829888);
    bench::AnchorResult none;
    EXPECT_FALSE(bench::parseAnchorOutput("Traceback (most recent call last):\n  tokens_per_s=abc\n", none));
    EXPECT_FALSE(bench::parseAnchorOutput("tokens_per_s=0\n", none));
}

TEST(BenchAnchor, MissingFilesAreNamedBeforeMeasuring) {
    test::TempDir d;
    EXPECT_THROW(bench::locateAnchorScript(d.file("nope.py")), InputError);
    bench::AnchorOptions o;
    o.modelFile = d.file("model_minimind.py");
    try {
        bench::checkAnchor(o);
        FAIL() << "a missing model file must be refused";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(o.modelFile), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("561979c"), std::string::npos) << e.what();
    }
    test::writeLines(o.modelFile, {"# stand-in"});
    o.python = d.file("no-python");
    EXPECT_THROW(bench::checkAnchor(o), InputError);
}
