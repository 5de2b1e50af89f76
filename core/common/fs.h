#pragma once
// Small file-system helpers shared by every module: atomic writes (temp file +
// rename, so a kill at any moment leaves the previous file whole), reading whole
// files, and cheap fingerprints used as cache keys.

#include <cstdint>
#include <string>

namespace mm::fs {

/// Writes `bytes` to `path` through `path.tmp.<pid>`: write, fsync, rename.
/// Creates parent directories. Throws IoError naming the path on failure; on
/// failure the previous file at `path` (if any) is untouched.
/// Afterwards removes stale temp files of the same path (see removeStaleTemps).
void writeFileAtomic(const std::string& path, const std::string& bytes);

/// Removes `<name>.tmp.<pid>` files in `dir` left by writers that were killed:
/// their process is gone (on this host) and the file has not been written for
/// `minAgeSeconds`, so a live writer on another host sharing the directory
/// keeps its file. Errors are ignored: this is housekeeping.
void removeStaleTemps(const std::string& dir, const std::string& name, long minAgeSeconds = 600);

/// Reads a whole file. Throws IoError naming the path.
std::string readFile(const std::string& path);

/// True when the file exists and is a regular file.
bool isFile(const std::string& path);

/// Creates `dir` (and parents) and checks it is writable by creating and removing
/// a probe file. Throws IoError with what to do.
void ensureWritableDir(const std::string& dir);

/// 64-bit FNV-1a of a byte string, as 16 hex digits.
std::string hashHex(const std::string& bytes);

/// Identity of a (possibly huge) data file without reading it: absolute path,
/// size and modification time, hashed. Changes whenever the file is replaced.
std::string fileStamp(const std::string& path);

/// Content hash of a small file (tokenizer model, checkpoint header...).
std::string fileContentHash(const std::string& path);

} // namespace mm::fs
