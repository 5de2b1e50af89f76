#pragma once
// Numbers for people: progress lines of the core and the front ends.

#include <string>

namespace mm {

/// "1h02m", "3m05s", "12.3s" ("?" for a negative or non-finite time).
std::string formatDuration(double seconds);
/// 1234567 -> "1.23M", 12345 -> "12.3k".
std::string formatCount(double n);

} // namespace mm
