#include "wallet/spkm.h"

#include "consensus/hash.h"

namespace wallet {

const char* OutputTypeName(OutputType t)
{
    switch (t) {
    case OutputType::LEGACY: return "legacy";
    case OutputType::P2SH_SEGWIT: return "p2sh-segwit";
    case OutputType::BECH32: return "bech32";
    case OutputType::BECH32M: return "bech32m";
    case OutputType::UNKNOWN: break;
    }
    return "unknown";
}

std::optional<OutputType> ParseOutputType(std::string_view s)
{
    for (OutputType t : {OutputType::LEGACY, OutputType::P2SH_SEGWIT, OutputType::BECH32, OutputType::BECH32M}) {
        if (s == OutputTypeName(t)) return t;
    }
    return std::nullopt;
}

std::optional<DescriptorSpkm> DescriptorSpkm::Make(const WalletDescriptor& desc, const consensus::ChainParams& params,
                                                   std::string& error)
{
    auto parsed = common::ParseDescriptor(desc.descriptor, params, error);
    if (!parsed) return std::nullopt;
    const auto* bytes = reinterpret_cast<const uint8_t*>(desc.descriptor.data());
    const consensus::Uint256 id = consensus::Sha256Hash({bytes, desc.descriptor.size()});
    return DescriptorSpkm(desc, std::move(*parsed), id);
}

int32_t WatchedEnd(const WalletDescriptor& d, bool ranged, int32_t lookahead)
{
    // A descriptor that is not ranged has one script, at position 0.
    if (!ranged) return 1;
    const int64_t want = std::max<int64_t>(static_cast<int64_t>(d.next_index) + std::max(lookahead, 1), d.range_end);
    return static_cast<int32_t>(std::min<int64_t>(want, consensus::BIP32_HARDENED - 1));
}

bool DescriptorSpkm::TopUp(int32_t lookahead, std::string& error)
{
    const int32_t end = WatchedEnd(lookahead);
    for (; m_derived_end < end; ++m_derived_end) {
        auto script = m_desc.Expand(static_cast<uint32_t>(m_derived_end), error);
        if (!script) return false;
        m_scripts.emplace(*script, m_derived_end);
        m_by_index.emplace(m_derived_end, std::move(*script));
    }
    // The watched end grows and is kept (Core's range_end): a restart with a smaller -keypool
    // still watches what was derived before.
    if (IsRange()) m_data.range_end = std::max(m_data.range_end, end);
    return true;
}

std::optional<consensus::Script> DescriptorSpkm::ScriptAt(int32_t index) const
{
    auto it = m_by_index.find(index);
    if (it == m_by_index.end()) return std::nullopt;
    return it->second;
}

std::optional<int32_t> DescriptorSpkm::IndexOf(const consensus::Script& script) const
{
    auto it = m_scripts.find(script);
    if (it == m_scripts.end()) return std::nullopt;
    return it->second;
}

std::optional<consensus::Script> DescriptorSpkm::TakeNext(std::string& error)
{
    if (!IsRange() && m_data.next_index > 0) {
        error = "Error: This wallet has no available keys";
        return std::nullopt;
    }
    if (!TopUp(1, error)) return std::nullopt;
    auto script = ScriptAt(m_data.next_index);
    if (!script) {
        error = "Error: This wallet has no available keys";
        return std::nullopt;
    }
    ++m_data.next_index;
    return script;
}

bool DescriptorSpkm::MarkUsed(int32_t index)
{
    if (index < m_data.next_index) return false;
    m_data.next_index = index + 1;
    return true;
}

bool DescriptorSpkm::ReturnIndex(int32_t index)
{
    if (!IsRange() || index != m_data.next_index - 1) return false;
    --m_data.next_index;
    return true;
}

} // namespace wallet
