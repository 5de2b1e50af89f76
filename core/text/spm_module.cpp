// libmm_spm.so: the only code that includes SentencePiece's headers. See
// spm_backend.h for why it is a separately loaded module.

#include "text/spm_backend.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

namespace {

namespace sp = sentencepiece;
using mm::text::spm::ChunkSource;

class ProcessorImpl final : public mm::text::spm::Processor {
public:
    bool loadFromSerializedProto(const std::string& bytes) override { return m_sp.LoadFromSerializedProto(bytes).ok(); }
    bool encode(std::string_view text, std::vector<int>* out, std::string* error) const override {
        out->clear();
        const auto status = m_sp.Encode(text, out);
        if (!status.ok() && error)
            *error = status.message();
        return status.ok();
    }
    int pieceSize() const override { return m_sp.GetPieceSize(); }
    std::string idToPiece(int id) const override { return m_sp.IdToPiece(id); }
    bool isUnknown(int id) const override { return m_sp.IsUnknown(id); }
    bool isByte(int id) const override { return m_sp.IsByte(id); }
    bool isControl(int id) const override { return m_sp.IsControl(id); }
    float score(int id) const override { return m_sp.GetScore(id); }

private:
    sp::SentencePieceProcessor m_sp;
};

// SentencePiece reads value() before the first Next().
class ChunkIterator final : public sp::SentenceIterator {
public:
    explicit ChunkIterator(const ChunkSource& src) : m_src(src) { m_done = !m_src(m_value); }
    bool done() const override { return m_done; }
    void Next() override { m_done = !m_src(m_value); }
    const std::string& value() const override { return m_value; }
    sp::util::Status status() const override { return sp::util::Status(); }

private:
    const ChunkSource& m_src;
    std::string m_value;
    bool m_done = false;
};

mm::text::spm::Processor* createProcessor() { return new ProcessorImpl(); }

bool train(const std::unordered_map<std::string, std::string>& args, const ChunkSource& source, std::string* modelProto,
           std::string* error) {
    ChunkIterator it(source);
    const auto status = sp::SentencePieceTrainer::Train(args, &it, modelProto);
    if (!status.ok() && error)
        *error = status.message();
    return status.ok();
}

const mm::text::spm::Api kApi{mm::text::spm::kAbiVersion, &createProcessor, &train};

} // namespace

extern "C" __attribute__((visibility("default"))) const mm::text::spm::Api* mm_spm_api() { return &kApi; }
