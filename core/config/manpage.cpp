#include "config/manpage.h"

#include <algorithm>
#include <sstream>

namespace mm::config {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

std::string header(const std::string& name, const std::string& version) {
    return ".TH " + upper(name) + " 1 \"\" \"micromind " + version + "\" \"MicroMind Workbench\"\n";
}

std::string typeWord(FieldType t) {
    switch (t) {
    case FieldType::Int: return "int";
    case FieldType::Float: return "float";
    case FieldType::Path: return "path";
    case FieldType::Choice: return "choice";
    case FieldType::Bool: return "";
    default: return "string";
    }
}

} // namespace

std::string roffEscape(const std::string& text) {
    std::string out;
    bool lineStart = true;
    for (char c : text) {
        if (lineStart && (c == '.' || c == '\''))
            out += "\\&";
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        lineStart = c == '\n';
    }
    return out;
}

std::string manPage(const Schema& s, const std::string& version) {
    const std::string name = "micromind-" + s.stage;
    std::ostringstream o;
    o << header(name, version);
    o << ".SH NAME\n" << roffEscape(name) << " \\- " << roffEscape(s.summary) << "\n";
    o << ".SH SYNOPSIS\n.B micromind " << roffEscape(s.stage) << "\n[\\fB\\-\\-flag\\fR \\fIvalue\\fR ...]\n";
    o << ".SH DESCRIPTION\n" << roffEscape(s.summary) << "\n";
    std::vector<std::string> groups;
    for (const auto& f : s.fields)
        if (std::find(groups.begin(), groups.end(), f.group) == groups.end())
            groups.push_back(f.group);
    o << ".SH OPTIONS\n";
    for (const auto& g : groups) {
        o << ".SS " << roffEscape(g) << "\n";
        for (const auto& f : s.fields) {
            if (f.group != g)
                continue;
            o << ".TP\n.B \\-\\-" << roffEscape(f.name);
            if (f.type != FieldType::Bool)
                o << " \\fI" << typeWord(f.type) << "\\fR";
            o << "\n" << roffEscape(f.help);
            std::string extra;
            if (!f.defaultValue.empty())
                extra += "default " + f.defaultValue;
            if (!f.choices.empty()) {
                extra += std::string(extra.empty() ? "" : "; ") + "one of ";
                for (size_t i = 0; i < f.choices.size(); ++i)
                    extra += (i ? ", " : "") + f.choices[i];
            }
            if (f.required)
                extra += std::string(extra.empty() ? "" : "; ") + "required";
            if (!extra.empty())
                o << " (" << roffEscape(extra) << ")";
            o << "\n";
        }
    }
    o << ".SH EXIT STATUS\n0 success, 2 bad input (flags, data, checkpoints), 3 file system error, "
         "4 training diverged, 130 stopped on request (state saved; rerun with \\-\\-resume).\n";
    o << ".SH SEE ALSO\n.BR micromind (1)\n";
    return o.str();
}

std::string mainManPage(const std::vector<std::pair<std::string, std::string>>& commands, const std::string& version) {
    std::ostringstream o;
    o << header("micromind", version);
    o << ".SH NAME\nmicromind \\- train a tiny chat LLM from scratch and compare its training stages\n";
    o << ".SH SYNOPSIS\n.B micromind\n\\fIcommand\\fR [\\fB\\-\\-flag\\fR \\fIvalue\\fR ...]\n";
    o << ".SH DESCRIPTION\nThe headless front end of MicroMind Workbench: the MiniMind pipeline (tokenizer, "
         "pretraining, supervised fine\\-tuning, DPO, LoRA, reasoning distillation, GRPO), evaluation of the five "
         "models, LLM\\-judge scores and an OpenAI\\-compatible server, on LibTorch. Every command prints its flags "
         "with \\fB\\-\\-help\\fR; the graphical workbench is \\fBmicromind\\-workbench\\fR.\n";
    o << ".SH COMMANDS\n";
    for (const auto& [name, summary] : commands)
        o << ".TP\n.B " << roffEscape(name) << "\n"
          << roffEscape(summary) << " (see \\fBmicromind\\-" << roffEscape(name) << "\\fR(1))\n";
    o << ".SH EXAMPLES\n.nf\nmicromind demo \\-\\-workspace ~/micromind\\-demo\n"
         "micromind pretrain \\-\\-data_path pretrain_hq.jsonl \\-\\-preset minimind2\\-small\n"
         "micromind eval \\-\\-model_mode 1\n.fi\n";
    o << ".SH SEE ALSO\n";
    for (size_t i = 0; i < commands.size(); ++i)
        o << (i ? ",\n" : "") << ".BR micromind\\-" << roffEscape(commands[i].first) << " (1)";
    o << "\n";
    return o.str();
}

} // namespace mm::config
