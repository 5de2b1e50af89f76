#pragma once
// --eval_split F: a held-out share of the training file itself, for runs
// without a separate --eval_data file. Every record of the file whose index i
// (0-based, non-empty lines) satisfies floor((i + 1) F) > floor(i F) goes to
// the validation split, the rest to the training split, so the held-out
// records are spread evenly over a file that is sorted by topic or source.
// The two splits are written once under <out_dir>/cache (names keyed by the
// source's path, size, modification time and F), through temp files renamed
// into place, and reused by later runs and --resume.

#include <cstdint>
#include <string>

namespace mm::data {

struct SplitFiles {
    std::string train, eval; ///< paths of the two splits
    int64_t trainRecords = 0, evalRecords = 0;
    bool reused = false; ///< both existed from an earlier run
};

/// Splits `path`. InputError when F is not in (0, 0.5] or either split would
/// be empty (the message names the file, its record count and what to do);
/// IoError naming the path when reading or writing fails.
SplitFiles splitForValidation(const std::string& path, double fraction, const std::string& cacheDir);

} // namespace mm::data
