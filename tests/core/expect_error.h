#pragma once
// expectError<E>(fn, {parts...}): runs fn and expects an exception of type E
// whose message contains every part (each missing part is its own failure).

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <initializer_list>
#include <string>

namespace mm::test {

template <class E>
void expectError(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
    try {
        fn();
        ADD_FAILURE() << "expected an exception";
    } catch (const E& e) {
        const std::string msg = e.what();
        for (const auto& p : parts)
            EXPECT_NE(msg.find(p), std::string::npos) << "message \"" << msg << "\" lacks \"" << p << "\"";
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected exception type: " << e.what();
    }
}

} // namespace mm::test
