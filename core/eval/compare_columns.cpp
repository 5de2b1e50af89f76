// The comparison columns of `micromind scores export` and the workbench:
// one per evaluated model mode, labelled with the mode's name from
// model_modes (which needs LibTorch, so this is apart from the torch-free
// scores.cpp that the judge-reply fuzz target compiles).

#include "eval/model_modes.h"
#include "eval/scores.h"

#include <filesystem>

namespace mm::eval {

std::string modeLabel(int mode, const std::string& checkpoint) {
    std::string name = "mode " + std::to_string(mode);
    for (const auto& m : modes())
        if (m.mode == mode)
            name = m.name;
    const std::string stem = checkpoint.empty() ? "" : std::filesystem::path(checkpoint).stem().string();
    return std::to_string(mode) + " " + name + (stem.empty() ? "" : " (" + stem + ")");
}

std::vector<CompareColumn> comparisonColumns(const store::History& history) {
    std::vector<CompareColumn> cols;
    for (int mode : history.evaluatedModes()) {
        CompareColumn c;
        c.mode = mode;
        c.answers = history.latestEvalAnswers(mode);
        c.label = modeLabel(mode, c.answers.empty() ? "" : c.answers.front().checkpoint);
        cols.push_back(std::move(c));
    }
    return cols;
}

} // namespace mm::eval
