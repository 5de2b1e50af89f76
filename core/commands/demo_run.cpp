#include "commands/demo_run.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "data/demo_pack.h"
#include "eval/demo_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <thread>

namespace mm::eval {

namespace stdfs = std::filesystem;
namespace files = data::demo_files;

DemoOptions DemoOptions::from(const config::Values& v) {
    DemoOptions o;
    o.workspace = v.getString("workspace");
    o.source = v.getString("source");
    o.quick = v.getBool("quick");
    o.fresh = v.getBool("fresh");
    o.dataOnly = v.getBool("data_only");
    o.grpo = v.getBool("grpo");
    o.scale = v.getFloat("scale");
    o.threads = v.getInt("threads");
    o.nprocPerNode = v.getInt("nproc_per_node");
    o.vocabSize = v.getInt("vocab_size");
    o.maxNewTokens = v.getInt("max_new_tokens");
    o.baseUrl = v.getString("base_url");
    o.judgeModel = v.getString("judge_model");
    o.apiKeyEnv = v.getString("api_key_env");
    return o;
}

bool demoStageFinished(const std::string& product, const std::vector<std::string>& args) {
    if (!fs::isFile(product))
        return false;
    auto it = std::find(args.begin(), args.end(), "--max_steps");
    if (it == args.end() || ++it == args.end())
        return true;
    const std::string sidecar = product.substr(0, product.size() - 4) + ".json";
    if (!fs::isFile(sidecar))
        return false;
    const auto meta = nlohmann::json::parse(fs::readFile(sidecar), nullptr, false);
    return meta.is_object() && meta.contains("step") && meta["step"].is_number_integer() &&
           std::to_string(meta["step"].get<long long>()) == *it;
}

namespace {

/// Runs `micromind <args>` as a child process (stdout captured when asked,
/// stderr passed through) and waits for it. SIGINT reaches the child through
/// the terminal's process group; the child saves and exits 130.
proc::Result runChild(const std::vector<std::string>& args, bool capture) {
    return proc::run(proc::selfExe(), args, capture);
}

/// The last JSON object line of a command's --json output.
nlohmann::json lastJson(const std::string& out) {
    std::istringstream in(out);
    std::string line;
    nlohmann::json last;
    while (std::getline(in, line))
        if (!line.empty() && line[0] == '{') {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (!j.is_discarded())
                last = std::move(j);
        }
    return last;
}

class Demo {
public:
    Demo(const DemoOptions& o, const Console& con)
        : m_o(o), m_con(con), m_ws(stdfs::absolute(o.workspace).lexically_normal().string()),
          m_data((stdfs::path(m_ws) / "data").string()), m_out((stdfs::path(m_ws) / "out").string()), m_quick(o.quick),
          m_scale(o.scale), m_threads(std::to_string(o.threads)) {
        const int n = int(o.nprocPerNode);
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        m_nproc = n > 0 ? n : std::min(cores, 8);
    }

    int run();

private:
    std::string data(const char* name) const { return (stdfs::path(m_data) / name).string(); }
    std::string out(const std::string& name) const { return (stdfs::path(m_out) / name).string(); }
    /// Training steps of a stage: its full-run figure times --scale, or 3 with --quick.
    std::string steps(double full) const {
        return std::to_string(m_quick ? 3 : std::max<long long>(1, std::llround(full * m_scale)));
    }
    /// A stage's batch size (4 with --quick, so a small corpus fills a batch).
    std::string batch(int full) const { return std::to_string(m_quick ? 4 : full); }
    /// `--nproc_per_node N --batch_size B/N` (the same global batch over N
    /// processes: the tiny model trains faster as single-threaded processes
    /// than as one multi-threaded one), or `--batch_size B` alone.
    std::vector<std::string> parallel(int full) const {
        const int b = m_quick ? 4 : full;
        if (m_nproc <= 1 || b % m_nproc != 0)
            return {"--batch_size", std::to_string(b)};
        return {"--nproc_per_node", std::to_string(m_nproc), "--batch_size", std::to_string(b / m_nproc)};
    }
    /// Prints and runs one stage; returns false when the user stopped it.
    bool stage(const std::string& title, const std::string& product, const std::string& resumeFile,
               std::vector<std::string> args);
    /// Runs a measuring command with --json and returns its result ("" members on failure).
    nlohmann::json measure(std::vector<std::string> args);
    void evaluate();

    const DemoOptions& m_o;
    const Console& m_con;
    std::string m_ws, m_data, m_out;
    bool m_quick;
    double m_scale;
    std::string m_threads;
    int m_nproc = 1;
    int m_step = 0, m_steps = 0;
    std::chrono::steady_clock::time_point m_t0 = std::chrono::steady_clock::now();
    DemoReport m_report;
};

bool Demo::stage(const std::string& title, const std::string& product, const std::string& resumeFile,
                 std::vector<std::string> args) {
    ++m_step;
    const bool keep = !m_o.fresh && demoStageFinished(product, args);
    if (keep) {
        m_con.print(strf("\n[%d/%d] %s: kept %s (pass --fresh to retrain)\n", m_step, m_steps, title.c_str(),
                         stdfs::relative(product, m_ws).c_str()));
        return true;
    }
    if (!resumeFile.empty() && fs::isFile(resumeFile) && !m_o.fresh)
        args.push_back("--resume");
    m_con.print(
        strf("\n[%d/%d] %s  (%s elapsed)\n$ %s\n", m_step, m_steps, title.c_str(),
             formatDuration(std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count()).c_str(),
             proc::shellLine(args).c_str()));
    const proc::Result r = runChild(args, false);
    if (r.exitCode == 130 || m_con.stopped())
        return false;
    if (r.exitCode != 0)
        throw Error(title + " failed (exit code " + std::to_string(r.exitCode) +
                    ", its message is above). Finished stages are kept: fix the cause and rerun `micromind demo "
                    "--workspace " +
                    proc::shellQuote(m_ws) + "`");
    return true;
}

nlohmann::json Demo::measure(std::vector<std::string> args) {
    args.push_back("--json");
    const proc::Result r = runChild(args, true);
    if (r.exitCode != 0) {
        m_con.printErr(strf("  (measurement `micromind %s` failed with exit code %d; reported as n/a)\n",
                            args[0].c_str(), r.exitCode));
        return {};
    }
    return lastJson(r.out);
}

struct ModelRow {
    int mode;
    const char* name;
    std::string weights; ///< relative to out/
    std::string lora;    ///< adapter, relative to out/
};

std::vector<ModelRow> demoModels() {
    return {{0, "pretrain", "pretrain_128.pth", ""},
            {1, "full_sft", "full_sft_128.pth", ""},
            {2, "rlhf (dpo)", "rlhf_128.pth", ""},
            {3, "reason", "reason_128.pth", ""},
            {4, "lora_songci + full_sft", "full_sft_128.pth", "lora/lora_songci_128.pth"},
            {5, "grpo", "grpo_128.pth", ""}};
}

void Demo::evaluate() {
    const std::string maxNew = std::to_string(m_o.maxNewTokens);
    for (const auto& m : demoModels()) {
        if (!fs::isFile(out(m.weights)))
            continue;
        const std::string mode = std::to_string(m.mode);
        std::vector<std::string> sel{"--model_mode", mode,   "--out_dir", m_out,
                                     "--preset",     "tiny", "--threads", m_threads};
        if (!m.lora.empty())
            sel.insert(sel.end(), {"--lora_name", "lora_songci"});
        ++m_step;
        m_con.print(strf("\n[%d/%d] model %d (%s): the seed's prompts, held-out questions and metrics\n", m_step,
                         m_steps, m.mode, m.name));
        std::vector<std::string> ev{"eval"};
        ev.insert(ev.end(), sel.begin(), sel.end());
        ev.insert(ev.end(), {"--max_new_tokens", maxNew, "--repetition_penalty", "1.2", "--seed", "42"});
        m_con.print("$ " + proc::shellLine(ev) + "\n");
        const proc::Result er = runChild(ev, true); // answers go to the history; the report shows them
        if (er.exitCode != 0)
            throw Error("micromind eval --model_mode " + mode + " failed (exit code " + std::to_string(er.exitCode) +
                        ")");

        nlohmann::json r = nlohmann::json::object();
        auto exact = [&](const char* file, const char* limit) {
            std::vector<std::string> a{"metrics", "--task",           "exact", "--data_path", data(file), "--limit",
                                       limit,     "--max_new_tokens", "32"};
            a.insert(a.end(), sel.begin(), sel.end());
            return measure(a);
        };
        r["exact"] = exact(files::heldoutQa, m_quick ? "4" : "400");
        r["author_exact"] = exact(files::heldoutAuthorQa, m_quick ? "4" : "400");
        r["train_exact"] = exact(files::trainQa, m_quick ? "4" : "80");
        std::vector<std::string> base{"--weights", out(m.weights), "--out_dir",     m_out,
                                      "--threads", m_threads,      "--max_seq_len", "256"};
        if (!m.lora.empty())
            base.insert(base.end(), {"--lora_path", out(m.lora)});
        auto heldout = [&](const char* metric, const char* file, std::vector<std::string> extra) {
            std::vector<std::string> a{"heldout", "--metric", metric, "--data_path", data(file)};
            a.insert(a.end(), base.begin(), base.end());
            a.insert(a.end(), extra.begin(), extra.end());
            return measure(a);
        };
        const std::vector<std::string> sampled{
            "--max_samples", m_quick ? "3" : "400", "--max_new_tokens", "64", "--repetition_penalty", "1.2"};
        r["loss"] = heldout("loss", files::heldoutSft, {});
        r["songci_loss"] = heldout("loss", files::heldoutLora, {});
        r["preference"] = heldout("preference", files::heldoutDpo, {});
        if (m.mode == 1 || m.mode == 2) // the DPO finding names the kinds of pair it moved
            for (const auto& kind : data::dpoPairKinds()) {
                const std::string file = files::heldoutDpoKind(kind);
                std::error_code ec;
                if (stdfs::file_size(data(file.c_str()), ec) > 0 && !ec) // a small corpus may lack a kind
                    r["preference_kinds"][kind] = heldout("preference", file.c_str(), {});
            }
        r["reward"] = heldout("reward", files::heldoutGrpo, sampled);
        r["think"] = heldout("think_format", files::heldoutReason, sampled);
        r["name"] = m.name;
        m_report.models[mode] = r;
        auto num = [](const nlohmann::json& j, const char* k) {
            return j.is_object() && j.contains(k) ? j[k].get<double>() : NAN;
        };
        m_con.print(
            strf("  exact match: trained questions %.1f%%, held-out %.1f%% (authors %.1f%%) | answer loss %.3f | Song "
                 "ci loss %.3f | preference %.1f%% | think/answer format %.1f%% | held-out reward %.3f\n",
                 100 * num(r["train_exact"], "accuracy"), 100 * num(r["exact"], "accuracy"),
                 100 * num(r["author_exact"], "accuracy"), num(r["loss"], "loss"), num(r["songci_loss"], "loss"),
                 100 * num(r["preference"], "pref_accuracy"), 100 * num(r["think"], "format_rate"),
                 num(r["reward"], "reward_mean")));
    }
}

int Demo::run() {
    m_con.print(strf("MicroMind demo in %s\n"
                     "Corpus: Debian's fortunes-zh (Tang poems, Song ci, Chinese sayings; GPL-3.0+) from %s\n",
                     m_ws.c_str(), m_o.source.c_str()));
    fs::ensureWritableDir(m_data);
    fs::ensureWritableDir(m_out);
    data::DemoPackOptions po;
    po.sourceDir = m_o.source;
    po.outDir = m_data;
    const data::DemoPackSummary s = data::buildDemoPack(po);
    m_report.baselines.trainExactChance = s.trainChance;
    m_report.baselines.trainChanceAnswer = s.trainChanceAnswer;
    m_report.baselines.heldoutExactChance = s.heldoutChance;
    m_report.baselines.heldoutChanceAnswer = s.heldoutChanceAnswer;
    m_report.baselines.heldoutAuthorChance = s.heldoutAuthorChance;
    m_report.baselines.heldoutAuthorChanceAnswer = s.heldoutAuthorChanceAnswer;
    m_con.print(strf(
        "Data pack (%s): %lld poems (%lld Song ci, %lld held out; %lld longer than %d characters left out), "
        "%lld of %lld sayings -> pretrain %lld docs (%lld of them the training poems' questions), SFT %lld, DPO "
        "%lld, reasoning %lld, LoRA (Song ci) %lld, GRPO %lld; held out: %lld questions (exact-match chance "
        "%.1f%%; %lld author questions, chance %.1f%%), %lld pairs, %lld Song ci conversations\n",
        m_data.c_str(), (long long)s.poems, (long long)s.ci, (long long)s.heldOutPoems, (long long)s.longPoemsSkipped,
        po.maxPoemChars, (long long)s.sayingsUsed, (long long)s.sayings, (long long)s.pretrainDocs,
        (long long)s.pretrainQa, (long long)s.sft, (long long)s.dpo, (long long)s.reason, (long long)s.lora,
        (long long)s.grpo, (long long)s.heldoutQa, 100 * s.heldoutChance, (long long)s.heldoutAuthorQa,
        100 * s.heldoutAuthorChance, (long long)s.heldoutDpo, (long long)s.heldoutLora));

    if (m_o.dataOnly)
        return 0;
    const bool withGrpo = m_o.grpo;
    // Tokenizer + five trainings (+ GRPO), one evaluation per model, the scores.
    m_steps = 6 + (withGrpo ? 1 : 0) + 5 + (withGrpo ? 1 : 0) + 1;
    const std::vector<std::string> common{"--out_dir",       m_out,
                                          "--preset",        "tiny",
                                          "--threads",       m_threads,
                                          "--epochs",        "1000",
                                          "--log_interval",  m_quick ? "1" : "25",
                                          "--save_interval", m_quick ? "2" : "100"};
    auto cat = [](std::vector<std::string> a, const std::vector<std::string>& b, const std::vector<std::string>& c) {
        a.insert(a.end(), b.begin(), b.end());
        a.insert(a.end(), c.begin(), c.end());
        return a;
    };
    auto with = [&](std::vector<std::string> a) {
        a.insert(a.end(), common.begin(), common.end());
        return a;
    };
    auto resume = [&](const std::string& stem) { return out("checkpoints/" + stem + "_128_resume.pt"); };

    const std::string vocab = std::to_string(m_o.vocabSize);
    bool ok = stage("tokenizer", out("tokenizer.model"), "",
                    {"train_tokenizer", "--data_path", data(files::pretrain), "--vocab_size", vocab, "--out_dir", m_out,
                     "--threads", m_threads});
    ok = ok && stage("pretrain (model 0)", out("pretrain_128.pth"), resume("pretrain"),
                     with(cat({"pretrain", "--data_path", data(files::pretrain), "--max_seq_len", "256"}, parallel(4),
                              {"--accumulation_steps", "1", "--learning_rate", "3e-3", "--warmup_steps", "20",
                               "--max_steps", steps(1200)})));
    ok = ok && stage("full_sft (model 1)", out("full_sft_128.pth"), resume("full_sft"),
                     with(cat({"full_sft", "--data_path", data(files::sft), "--max_seq_len", "128"}, parallel(16),
                              {"--accumulation_steps", "1", "--learning_rate", "1e-3", "--max_steps", steps(300),
                               "--eval_data", data(files::heldoutSft), "--eval_interval", m_quick ? "3" : "50"})));
    ok = ok &&
         stage("dpo (model 2)", out("rlhf_128.pth"), resume("rlhf"),
               with({"dpo", "--data_path", data(files::dpo), "--max_seq_len", "64", "--batch_size", batch(16),
                     "--accumulation_steps", "1", "--learning_rate", "5e-4", "--rpo_alpha", "1", "--max_steps",
                     steps(200), "--eval_data", data(files::heldoutDpo), "--eval_interval", m_quick ? "3" : "25"}));
    ok = ok &&
         stage("distill_reason (model 3)", out("reason_128.pth"), resume("reason"),
               with(cat({"distill_reason", "--data_path", data(files::reason), "--max_seq_len", "128"}, parallel(16),
                        {"--accumulation_steps", "1", "--learning_rate", "1e-3", "--max_steps", steps(500)})));
    ok =
        ok &&
        stage("lora lora_songci on full_sft (model 4)", out("lora/lora_songci_128.pth"), resume("lora/lora_songci"),
              with(cat({"lora", "--lora_name", "lora_songci", "--data_path", data(files::lora), "--max_seq_len", "128"},
                       parallel(16),
                       {"--accumulation_steps", "1", "--learning_rate", "2e-3", "--max_steps", steps(150),
                        "--eval_data", data(files::heldoutLora), "--eval_interval", m_quick ? "3" : "50"})));
    if (withGrpo)
        ok = ok && stage("grpo on reason (model 5)", out("grpo_128.pth"), resume("grpo"),
                         with({"grpo", "--data_path", data(files::grpo), "--batch_size", batch(4), "--num_generations",
                               "4", "--max_gen_len", "48", "--learning_rate", "1e-4", "--max_steps", steps(300)}));
    if (!ok) {
        m_con.print(strf("\nstopped. Finished stages are kept; rerun `micromind demo --workspace %s` to continue.\n",
                         proc::shellQuote(m_ws).c_str()));
        return 130;
    }
    evaluate();
    if (m_con.stopped())
        return 130;

    ++m_step;
    const std::string reports = (stdfs::path(m_ws) / "reports").string();
    if (!m_o.baseUrl.empty()) {
        m_con.print(strf("\n[%d/%d] LLM judge %s\n", m_step, m_steps, m_o.baseUrl.c_str()));
        const proc::Result jr = runChild({"judge", "--out_dir", m_out, "--base_url", m_o.baseUrl, "--judge_model",
                                          m_o.judgeModel, "--api_key_env", m_o.apiKeyEnv},
                                         false);
        if (jr.exitCode != 0)
            m_con.print(strf("the judge failed (exit code %d); the table below has no judge scores\n", jr.exitCode));
    } else {
        m_con.print(strf("\n[%d/%d] scores: no --base_url given, so no LLM judge scores (the objective metrics below "
                         "are measured); judge later with `micromind judge --out_dir %s --base_url URL --judge_model "
                         "NAME`\n",
                         m_step, m_steps, proc::shellQuote(m_out).c_str()));
    }
    const proc::Result xr = runChild({"scores", "export", "--out_dir", m_out, "--export_dir", reports}, true);
    if (xr.exitCode != 0)
        throw Error("micromind scores export failed (exit code " + std::to_string(xr.exitCode) + ")");

    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
    m_report.seconds = secs;
    const std::string md = demoMarkdown(m_report);
    fs::writeFileAtomic((stdfs::path(reports) / "demo.md").string(), md);
    fs::writeFileAtomic((stdfs::path(reports) / "demo.json").string(), toJson(m_report).dump(2) + "\n");
    m_con.print(strf(
        "\n%s\n"
        "Done in %s. Workspace: %s\n"
        "  reports/demo.md       these findings and the table\n"
        "  reports/compare.html  the models' answers to the seed's prompts side by side\n"
        "  reports/scores.md     the seed's score table (fill it with `micromind judge` or `micromind scores set`)\n"
        "  out/                  checkpoints, tokenizer, history (micromind history --out_dir %s)\n"
        "Chat with a model: micromind chat --out_dir %s --model_mode 1\n",
        md.substr(0, md.find("\nHow to read it:")).c_str(), formatDuration(secs).c_str(), m_ws.c_str(),
        proc::shellQuote(m_out).c_str(), proc::shellQuote(m_out).c_str()));
    return 0;
}

} // namespace

int runDemo(const DemoOptions& o, const Console& con) {
    Demo demo(o, con);
    return demo.run();
}

} // namespace mm::eval
