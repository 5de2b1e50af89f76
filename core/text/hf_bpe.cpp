// Hugging Face tokenizer.json byte-level BPE (see hf_bpe.h for the contract):
// the public interface over HfBpe::Impl. Loading is in hf_bpe_load.cpp,
// encoding in hf_bpe_encode.cpp, the Unicode and UTF-8 helpers in
// hf_bpe_unicode.cpp.

#include "text/hf_bpe.h"
#include "text/hf_bpe_internal.h"

namespace mm::text {

using namespace hf_bpe_detail;

// ------------------------------------------------------------ interface

HfBpe::HfBpe(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
HfBpe::HfBpe(const HfBpe&) = default;
HfBpe::HfBpe(HfBpe&&) noexcept = default;
HfBpe& HfBpe::operator=(const HfBpe&) = default;
HfBpe& HfBpe::operator=(HfBpe&&) noexcept = default;
HfBpe::~HfBpe() = default;

std::string HfBpe::decode(const std::vector<int>& ids) const {
    const Impl& m = *m_impl;
    std::string bytes;
    for (int id : ids)
        if (id >= 0 && id < m.size && m.present[size_t(id)])
            bytes += m.decodedBytes[size_t(id)];
    if (isValidUtf8(bytes))
        return bytes;
    return lossyUtf8(bytes);
}

std::string HfBpe::idToPiece(int id) const {
    const Impl& m = *m_impl;
    return id >= 0 && id < m.size ? m.pieces[size_t(id)] : std::string();
}

int HfBpe::vocabSize() const { return m_impl->size; }

int HfBpe::tokenId(std::string_view content) const {
    const Impl& m = *m_impl;
    const std::string key(content);
    if (auto it = m.addedByContent.find(key); it != m.addedByContent.end())
        return it->second;
    if (auto it = m.vocab.find(key); it != m.vocab.end())
        return it->second;
    return -1;
}

bool HfBpe::isSpecial(int id) const {
    const Impl& m = *m_impl;
    if (id < 0 || id >= m.size)
        return false;
    const int i = m.addedIndexById[size_t(id)];
    return i >= 0 && m.added[size_t(i)].special;
}

const std::vector<std::string>& HfBpe::pieces() const { return m_impl->pieces; }

const std::vector<std::pair<std::string, std::string>>& HfBpe::merges() const { return m_impl->mergeList; }

const std::vector<HfBpe::AddedToken>& HfBpe::addedTokens() const { return m_impl->added; }

std::string HfBpe::toValidUtf8(std::string_view bytes) {
    return isValidUtf8(bytes) ? std::string(bytes) : lossyUtf8(bytes);
}

} // namespace mm::text
