#include "config/pipeline.h"

#include "common/error.h"
#include "common/fs.h"
#include "config/schema.h"
#include "config/stages.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace mm::config {

namespace stdfs = std::filesystem;

namespace {

/// Line and column of a byte offset, for JSON syntax errors.
std::string lineColumn(const std::string& text, size_t offset) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

std::string resolved(const stdfs::path& base, const std::string& p) {
    if (p.empty())
        return p;
    const stdfs::path path(p);
    return (path.is_absolute() ? path : base / path).lexically_normal().string();
}

/// The text of a JSON scalar as a flag value.
bool scalarText(const nlohmann::json& j, std::string& out) {
    if (j.is_string())
        out = j.get<std::string>();
    else if (j.is_boolean())
        out = j.get<bool>() ? "1" : "0";
    else if (j.is_number_integer())
        out = std::to_string(j.get<long long>());
    else if (j.is_number())
        out = j.dump();
    else
        return false;
    return true;
}

} // namespace

const std::vector<std::string>& pipelineStageNames() {
    static const std::vector<std::string> names{"train_tokenizer", "pretrain", "full_sft", "dpo",
                                                "distill_reason",  "lora",     "grpo",     "merge_lora"};
    return names;
}

PipelineSpec loadPipeline(const std::string& path) {
    if (!fs::isFile(path))
        throw InputError("pipeline " + path +
                         ": no such file; write one (see `micromind pipeline --help` for the "
                         "format) or pass its path with --config");
    const std::string text = fs::readFile(path);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError("pipeline " + path + ": not valid JSON at " + lineColumn(text, e.byte > 0 ? e.byte - 1 : 0) +
                         " (" + e.what() + ")");
    }
    const stdfs::path file = stdfs::absolute(path);
    const stdfs::path base = file.parent_path();
    const std::string where = "pipeline " + path + ": ";
    if (!doc.is_object())
        throw InputError(where + "the file must hold one JSON object with a \"stages\" array");
    std::vector<std::string> problems;
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "name" && it.key() != "out_dir" && it.key() != "common" && it.key() != "stages")
            problems.push_back("unknown key \"" + it.key() + "\" (known: name, out_dir, common, stages)");

    PipelineSpec spec;
    spec.name = doc.contains("name") && doc["name"].is_string() ? doc["name"].get<std::string>() : file.stem().string();
    if (spec.name.empty())
        problems.push_back("\"name\" must not be empty");
    spec.outDir =
        resolved(base, doc.contains("out_dir") && doc["out_dir"].is_string() ? doc["out_dir"].get<std::string>()
                                                                             : std::string("out"));
    const nlohmann::json common = doc.value("common", nlohmann::json::object());
    if (!common.is_object())
        problems.push_back("\"common\" must be an object of flags, e.g. {\"preset\": \"tiny\"}");
    if (!doc.contains("stages") || !doc["stages"].is_array() || doc["stages"].empty())
        problems.push_back("\"stages\" must be a non-empty array, e.g. [{\"stage\": \"pretrain\", \"args\": "
                           "{\"data_path\": \"pretrain.jsonl\"}}]");
    const auto& names = pipelineStageNames();
    const nlohmann::json stages = doc.value("stages", nlohmann::json::array());
    for (size_t i = 0; stages.is_array() && i < stages.size(); ++i) {
        const auto& st = stages[i];
        std::string at = "stages[" + std::to_string(i) + "]";
        if (!st.is_object() || !st.contains("stage") || !st["stage"].is_string()) {
            problems.push_back(at + ": must be an object with a \"stage\" name, e.g. {\"stage\": \"full_sft\"}");
            continue;
        }
        PipelineStage ps;
        ps.stage = st["stage"].get<std::string>();
        at += " (" + ps.stage + ")";
        if (std::find(names.begin(), names.end(), ps.stage) == names.end()) {
            std::string known;
            for (const auto& n : names)
                known += (known.empty() ? "" : ", ") + n;
            problems.push_back(at + ": not a stage a pipeline runs (known: " + known + ")");
            continue;
        }
        for (auto it = st.begin(); it != st.end(); ++it)
            if (it.key() != "stage" && it.key() != "args" && it.key() != "processes")
                problems.push_back(at + ": unknown key \"" + it.key() + "\" (known: stage, args, processes)");
        if (st.contains("processes")) {
            if (!st["processes"].is_number_integer() || st["processes"].get<long long>() < 1 ||
                st["processes"].get<long long>() > 64)
                problems.push_back(at + ": \"processes\" must be a whole number from 1 to 64");
            else
                ps.processes = int(st["processes"].get<long long>());
        }
        const Schema& schema = schemaFor(ps.stage);
        nlohmann::json args = nlohmann::json::object();
        // common first (only the flags this stage has), then the stage's own.
        if (common.is_object())
            for (auto it = common.begin(); it != common.end(); ++it)
                if (schema.find(it.key()))
                    args[it.key()] = it.value();
        const nlohmann::json own = st.value("args", nlohmann::json::object());
        if (!own.is_object()) {
            problems.push_back(at + ": \"args\" must be an object of flags, e.g. {\"epochs\": 2}");
            continue;
        }
        for (auto it = own.begin(); it != own.end(); ++it)
            args[it.key()] = it.value();
        if (schema.find("out_dir") && !args.contains("out_dir"))
            args["out_dir"] = spec.outDir;
        if (args.contains("nproc_per_node") || args.contains("json")) {
            problems.push_back(at + ": set \"processes\" instead of nproc_per_node, and leave out json (the "
                                    "pipeline decides how stages report)");
            continue;
        }
        // Path fields are relative to the pipeline file.
        for (auto it = args.begin(); it != args.end(); ++it) {
            const Field* f = schema.find(it.key());
            std::string v;
            if (f && f->type == FieldType::Path && scalarText(it.value(), v))
                it.value() = resolved(base, v);
        }
        try {
            Values v = parseJson(schema, args);
            if (schema.find("preset"))
                for (const auto& p : applyPresetAndCheck(v))
                    problems.push_back(at + ": " + p);
            for (const char* input : {"data_path", "eval_data"})
                if (schema.find(input) && !v.getString(input).empty() && !fs::isFile(v.getString(input)))
                    problems.push_back(at + ": " + input + " " + v.getString(input) + ": no such file");
            if (schema.find("eval_split") && v.getFloat("eval_split") > 0 && !v.getString("eval_data").empty())
                problems.push_back(at + ": eval_split and eval_data are both set; keep one");
            std::vector<std::string> flags = v.toArgs();
            flags.erase(flags.begin()); // the stage name
            ps.args = std::move(flags);
        } catch (const InputError& e) {
            // parseJson lists its problems one per line after a heading.
            std::string msg = e.what();
            const size_t nl = msg.find('\n');
            if (nl != std::string::npos)
                msg = msg.substr(nl + 1);
            size_t start = 0;
            while (start < msg.size()) {
                size_t end = msg.find('\n', start);
                if (end == std::string::npos)
                    end = msg.size();
                std::string line = msg.substr(start, end - start);
                line.erase(0, std::min(line.size(), line.find_first_not_of(' ')));
                if (!line.empty() && line.rfind("Run `micromind", 0) != 0)
                    problems.push_back(at + ": " + line);
                start = end + 1;
            }
        }
        spec.stages.push_back(std::move(ps));
    }
    if (!problems.empty()) {
        std::string msg = where + std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") +
                          ", nothing was run:";
        for (const auto& p : problems)
            msg += "\n  " + p;
        throw InputError(msg);
    }
    return spec;
}

} // namespace mm::config
