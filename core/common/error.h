#pragma once
// Typed exceptions thrown by the core. The edges (CLI main, GUI) translate them
// into messages and exit codes; library code never calls exit() or abort().

#include <stdexcept>
#include <string>

namespace mm {

/// Base of every error the core reports to a user.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad user input: flags, data files, checkpoints that do not match. CLI exit code 2.
class InputError : public Error {
public:
    using Error::Error;
};

/// The file system refused: unreadable, unwritable, disk full. CLI exit code 3.
class IoError : public Error {
public:
    using Error::Error;
};

/// Training diverged (NaN/inf) or a numeric invariant broke. CLI exit code 4.
class NumericError : public Error {
public:
    using Error::Error;
};

/// Work stopped on request (signal, GUI stop). CLI exit code 130.
class Interrupted : public Error {
public:
    using Error::Error;
};

} // namespace mm
