#include "eval/metrics.h"

#include "common/error.h"
#include "common/fs.h"
#include "eval/text_stream.h"
#include "text/chat_template.h"

#include <cmath>
#include <regex>

namespace mm::eval {

double PerplexityResult::perplexity() const { return tokens ? std::exp(nll / double(tokens)) : 0.0; }
double PerplexityResult::bitsPerByte() const { return bytes ? nll / std::log(2.0) / double(bytes) : 0.0; }

PerplexityResult perplexity(model::MiniMind& m, const text::Tokenizer& tok, const std::vector<std::string>& texts,
                            int window) {
    c10::InferenceMode guard;
    m->eval();
    PerplexityResult r;
    const int64_t W = std::max<int64_t>(2, std::min<int64_t>(window, m->config().maxPositions));
    const torch::Device dev = m->embed_tokens->weight.device();
    for (const auto& t : texts) {
        std::vector<int64_t> ids{text::special::kImStart};
        for (int id : tok.encode(t))
            ids.push_back(id);
        ids.push_back(text::special::kImEnd);
        // Non-overlapping windows; each window predicts its tokens 1..n from 0..n-1.
        for (size_t start = 0; start + 1 < ids.size(); start += size_t(W - 1)) {
            const size_t end = std::min(ids.size(), start + size_t(W));
            std::vector<int64_t> win(ids.begin() + long(start), ids.begin() + long(end));
            auto x =
                torch::tensor(std::vector<int64_t>(win.begin(), win.end() - 1), torch::kLong).view({1, -1}).to(dev);
            auto y = torch::tensor(std::vector<int64_t>(win.begin() + 1, win.end()), torch::kLong).to(dev);
            auto logits = m->forward(x).logits.view({-1, m->config().vocabSize}).to(torch::kFloat32);
            r.nll += torch::nn::functional::cross_entropy(
                         logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                         .item<double>();
            r.tokens += int64_t(win.size()) - 1;
            if (end == ids.size())
                break;
        }
        r.bytes += int64_t(t.size());
        ++r.documents;
    }
    return r;
}

namespace {

/// Splits CSV text into rows of fields (RFC 4180); `lines` gets each row's first line number.
std::vector<std::vector<std::string>> parseCsv(const std::string& s, std::vector<int>& lines) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    int line = 1, rowLine = 1;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n')
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
                ++i;
            if (any || !field.empty()) {
                row.push_back(std::move(field));
                rows.push_back(std::move(row));
                lines.push_back(rowLine);
            }
            row.clear();
            field.clear();
            any = false;
            rowLine = ++line;
        } else {
            field += c;
            any = true;
        }
    }
    if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
        lines.push_back(rowLine);
    }
    return rows;
}

} // namespace

std::vector<ChoiceQuestion> readChoiceCsv(const std::string& path) {
    if (!fs::isFile(path))
        throw InputError(path + ": no such file; give a C-Eval/CMMLU CSV (question,A,B,C,D,answer columns)");
    std::vector<int> lines;
    auto rows = parseCsv(fs::readFile(path), lines);
    if (rows.empty())
        throw InputError(path + " is empty");
    const auto& head = rows[0];
    int q = -1, ans = -1;
    std::vector<int> opts;
    for (size_t i = 0; i < head.size(); ++i) {
        std::string h = trimmed(head[i]);
        if (h.size() >= 3 && h.compare(0, 3, "\xEF\xBB\xBF") == 0)
            h = h.substr(3);
        if (h == "question" || h == "Question")
            q = int(i);
        else if (h == "answer" || h == "Answer")
            ans = int(i);
        else if (h.size() == 1 && h[0] >= 'A' && h[0] <= 'H')
            opts.push_back(int(i));
    }
    if (q < 0 || ans < 0 || opts.size() < 2)
        throw InputError(path + ":1: the header needs question, A, B, ... and answer columns (C-Eval/CMMLU format)");
    std::vector<ChoiceQuestion> out;
    for (size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const std::string where = path + ":" + std::to_string(lines[r]);
        if (row.size() < head.size())
            throw InputError(where + ": " + std::to_string(row.size()) + " fields, the header has " +
                             std::to_string(head.size()));
        ChoiceQuestion c;
        c.question = row[size_t(q)];
        for (int o : opts)
            c.options.push_back(row[size_t(o)]);
        const std::string a = trimmed(row[size_t(ans)]);
        if (a.size() != 1 || a[0] < 'A' || a[0] >= char('A' + int(opts.size())))
            throw InputError(where + ": answer \"" + a + "\" is not one of the option letters");
        c.answer = a[0] - 'A';
        out.push_back(std::move(c));
    }
    return out;
}

ChoiceResult multipleChoice(model::MiniMind& m, const text::Tokenizer& tok, const std::vector<ChoiceQuestion>& qs,
                            bool chat) {
    c10::InferenceMode guard;
    m->eval();
    ChoiceResult r;
    const torch::Device dev = m->embed_tokens->weight.device();
    for (const auto& q : qs) {
        std::string body = q.question + "\n";
        std::vector<int> letterIds;
        for (size_t i = 0; i < q.options.size(); ++i) {
            const std::string letter(1, char('A' + int(i)));
            body += letter + ". " + q.options[i] + "\n";
            letterIds.push_back(tok.encode(letter).front());
        }
        body += "答案：";
        std::vector<int> ids = chat ? tok.encode(tok.renderChat({{"user", body}}, true)) : promptIds(tok, body, true);
        if (int64_t(ids.size()) > m->config().maxPositions)
            ids.erase(ids.begin(), ids.end() - m->config().maxPositions);
        std::vector<int64_t> ids64(ids.begin(), ids.end());
        auto logits = m->forward(torch::tensor(ids64, torch::kLong).view({1, -1}).to(dev), nullptr, true)
                          .logits.view({-1})
                          .to(torch::kCPU, torch::kFloat32);
        int best = 0;
        for (size_t i = 1; i < letterIds.size(); ++i)
            if (logits[letterIds[i]].item<float>() > logits[letterIds[size_t(best)]].item<float>())
                best = int(i);
        r.correct += best == q.answer;
        r.chance += 1.0 / double(q.options.size());
        ++r.questions;
    }
    if (r.questions)
        r.chance /= double(r.questions);
    return r;
}

std::string referenceAnswer(const std::string& answer) {
    const size_t p = answer.rfind("####");
    return trimmed(p == std::string::npos ? answer : answer.substr(p + 4));
}

namespace {

std::string lastNumber(const std::string& s) {
    static const std::regex num(R"(-?[0-9][0-9,]*(\.[0-9]+)?)");
    std::string last;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), num); it != std::sregex_iterator(); ++it)
        last = it->str();
    std::string out;
    for (char c : last)
        if (c != ',')
            out += c;
    // "18.0" and "18" are the same answer.
    if (out.find('.') != std::string::npos) {
        while (!out.empty() && out.back() == '0')
            out.pop_back();
        if (!out.empty() && out.back() == '.')
            out.pop_back();
    }
    return out;
}

} // namespace

bool exactMatch(const std::string& prediction, const std::string& reference) {
    const std::string ref = trimmed(reference);
    const std::string refNum = lastNumber(ref);
    if (!refNum.empty() && refNum.size() + 1 >= ref.size()) // the reference is a number
        return lastNumber(prediction) == refNum;
    return trimmed(splitReasoning(prediction).answer) == ref;
}

} // namespace mm::eval
