#pragma once
// man(7) pages generated from the command schemas, so `man micromind-pretrain`
// and `micromind pretrain --help` can never disagree.

#include "config/schema.h"

#include <string>
#include <utility>
#include <vector>

namespace mm::config {

/// Escapes text for a roff line (backslashes, leading dots and quotes, hyphens).
std::string roffEscape(const std::string& text);

/// The page micromind-<stage>(1): name, synopsis, description, options by group.
std::string manPage(const Schema& schema, const std::string& version);

/// The page micromind(1): the command list (name, one-line summary) in pipeline order.
std::string mainManPage(const std::vector<std::pair<std::string, std::string>>& commands, const std::string& version);

} // namespace mm::config
