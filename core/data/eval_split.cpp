#include "data/eval_split.h"

#include "common/error.h"
#include "common/fs.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace mm::data {

namespace stdfs = std::filesystem;

namespace {

bool heldOut(int64_t i, double f) { return std::floor(double(i + 1) * f) > std::floor(double(i) * f); }

int64_t countLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    int64_t n = 0;
    for (std::string line; std::getline(in, line);)
        n += line.find_first_not_of(" \t\r") != std::string::npos;
    return n;
}

} // namespace

SplitFiles splitForValidation(const std::string& path, double fraction, const std::string& cacheDir) {
    if (!(fraction > 0) || fraction > 0.5)
        throw InputError("--eval_split " + std::to_string(fraction) +
                         ": give the share of records to hold out, above 0 and at most 0.5 (e.g. 0.05)");
    if (!fs::isFile(path))
        throw InputError("--data_path " + path + ": no such file; --eval_split holds out records of the training file");
    char tag[32];
    std::snprintf(tag, sizeof tag, "%.6g", fraction);
    const std::string stem =
        (stdfs::path(cacheDir) / ("split_" + fs::hashHex(fs::fileStamp(path) + "|" + tag))).string();
    SplitFiles out{stem + ".train.jsonl", stem + ".eval.jsonl"};
    if (fs::isFile(out.train) && fs::isFile(out.eval)) {
        out.reused = true;
        out.trainRecords = countLines(out.train);
        out.evalRecords = countLines(out.eval);
        return out;
    }

    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot read " + path);
    std::error_code ec;
    stdfs::create_directories(cacheDir, ec);
    const std::string suffix = ".tmp." + std::to_string(::getpid());
    const std::string trainTmp = out.train + suffix, evalTmp = out.eval + suffix;
    {
        std::ofstream tr(trainTmp, std::ios::binary | std::ios::trunc), ev(evalTmp, std::ios::binary | std::ios::trunc);
        if (!tr || !ev)
            throw IoError("cannot write the --eval_split files in " + cacheDir + "; check that out_dir is writable");
        int64_t i = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            if (heldOut(i++, fraction)) {
                ev << line << '\n';
                ++out.evalRecords;
            } else {
                tr << line << '\n';
                ++out.trainRecords;
            }
        }
        tr.flush();
        ev.flush();
        if (!tr || !ev || in.bad()) {
            stdfs::remove(trainTmp, ec);
            stdfs::remove(evalTmp, ec);
            throw IoError("writing the --eval_split files of " + path + " in " + cacheDir +
                          " failed (disk full?); nothing was changed");
        }
    }
    if (out.evalRecords == 0 || out.trainRecords == 0) {
        stdfs::remove(trainTmp, ec);
        stdfs::remove(evalTmp, ec);
        throw InputError("--eval_split " + std::string(tag) + " of " + path + " (" +
                         std::to_string(out.trainRecords + out.evalRecords) + " records) leaves " +
                         (out.evalRecords == 0 ? "no record for validation; raise --eval_split"
                                               : "no record for training; lower --eval_split") +
                         " or give a held-out file with --eval_data");
    }
    // Linked into place, never over an existing split: data-parallel ranks
    // split the same file at the same time, and the file a rank's token cache
    // is keyed by must not be replaced under it. The training split goes
    // last, so a run that finds both finds them whole.
    for (const auto& [tmp, target] : {std::pair{evalTmp, out.eval}, std::pair{trainTmp, out.train}}) {
        if (::link(tmp.c_str(), target.c_str()) != 0 && errno != EEXIST) {
            const std::string why = std::strerror(errno);
            stdfs::remove(trainTmp, ec);
            stdfs::remove(evalTmp, ec);
            throw IoError("cannot write the --eval_split file " + target + ": " + why);
        }
        stdfs::remove(tmp, ec);
    }
    return out;
}

} // namespace mm::data
