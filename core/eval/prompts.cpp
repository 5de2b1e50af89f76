#include "eval/prompts.h"

#include "common/error.h"
#include "common/fs.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mm::eval {

namespace stdfs = std::filesystem;

PromptSet loadPromptSet(const std::string& path) {
    if (!fs::isFile(path))
        throw InputError("prompt file " + path +
                         " not found; give a .jsonl file with {\"prompt\": ...} per line "
                         "or a text file with one prompt per line");
    PromptSet set;
    set.path = path;
    set.name = stdfs::path(path).stem().string();
    const bool jsonl = stdfs::path(path).extension() == ".jsonl";
    std::istringstream in(fs::readFile(path));
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (!jsonl) {
            set.prompts.push_back({line, ""});
            continue;
        }
        const std::string where = path + ":" + std::to_string(lineNo);
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const std::exception& e) {
            throw InputError(where + ": not valid JSON (" + std::string(e.what()) +
                             "); each line must be an object like {\"prompt\": \"...\"}");
        }
        if (!j.is_object())
            throw InputError(where + ": expected an object like {\"prompt\": \"...\"}");
        const char* key = j.contains("prompt") ? "prompt" : j.contains("question") ? "question" : nullptr;
        if (!key || !j[key].is_string() || j[key].get<std::string>().empty())
            throw InputError(where + ": needs a non-empty string \"prompt\" (or \"question\")");
        Prompt p{j[key].get<std::string>(), ""};
        if (j.contains("answer")) {
            const auto& a = j["answer"];
            p.answer = a.is_string() ? a.get<std::string>() : a.dump();
        }
        set.prompts.push_back(std::move(p));
    }
    if (set.prompts.empty())
        throw InputError("prompt file " + path + " holds no prompts");
    return set;
}

std::string findResourceDir(const std::vector<std::string>& candidates) {
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!c.empty() && stdfs::is_directory(stdfs::path(c) / "prompts", ec))
            return c;
    }
    return {};
}

std::string locateResourceDir() {
    std::vector<std::string> candidates;
    std::error_code ec;
    const stdfs::path exe = stdfs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        candidates.push_back((exe.parent_path().parent_path() / "share" / "micromind").string());
#ifdef MM_RESOURCE_SOURCE_DIR
    candidates.push_back(MM_RESOURCE_SOURCE_DIR);
#endif
#ifdef MM_RESOURCE_INSTALL_DIR
    candidates.push_back(MM_RESOURCE_INSTALL_DIR);
#endif
    return findResourceDir(candidates);
}

const std::vector<std::string>& builtinPromptSets() {
    static const std::vector<std::string> names{"pretrain", "chat", "eval"};
    return names;
}

std::vector<std::string> defaultPromptSets(int modelMode) {
    if (modelMode == 0)
        return {"pretrain", "eval"};
    return {"chat", "eval"};
}

std::string promptSetPath(const std::string& resourceDir, const std::string& name) {
    const stdfs::path p = stdfs::path(resourceDir) / "prompts" / (name + ".jsonl");
    if (fs::isFile(p.string()))
        return p.string();
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(stdfs::path(resourceDir) / "prompts", ec))
        if (e.path().extension() == ".jsonl")
            names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    std::string have;
    for (const auto& n : names)
        have += (have.empty() ? "" : ", ") + n;
    throw InputError("prompt set \"" + name + "\" not found in " + (stdfs::path(resourceDir) / "prompts").string() +
                     " (available: " + (have.empty() ? "none" : have) + "); use --prompts FILE for your own");
}

} // namespace mm::eval
