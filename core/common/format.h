#pragma once
// Numbers for people: progress lines of the core and the front ends.

#include <string>
#include <vector>

namespace mm {

/// "1h02m", "3m05s", "12.3s" ("?" for a negative or non-finite time).
std::string formatDuration(double seconds);
/// 1234567 -> "1.23M", 12345 -> "12.3k".
std::string formatCount(double n);
/// "a,b,,c" -> {"a", "b", "c"} (comma-separated flag values).
std::vector<std::string> splitList(const std::string& s);
/// printf into a std::string.
std::string strf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace mm
