// importdescriptors and listdescriptors' private forms (Core's AddWalletDescriptor,
// AddActiveScriptPubKeyMan, DeactivateScriptPubKeyMan and GetDescriptorString).
#include "wallet/wallet.h"

namespace wallet {

bool Wallet::ImportDescriptor(const ImportedDescriptor& d, std::vector<std::string>& warnings, std::string& error)
{
    util::LockGuard lock(m_mutex);
    WalletDescriptor wd;
    wd.descriptor = d.desc.ToNormalizedString(); // a private root with hardened steps: the xpub after them
    wd.creation_time = d.timestamp;
    wd.next_index = d.next_index;
    wd.internal = d.internal;
    wd.range_end = d.desc.IsRange() ? d.range_end : 0;
    wd.range_start = d.desc.IsRange() ? d.range_start : 0;
    // common::OutputType and the wallet's share their first four values.
    if (auto t = d.desc.GetOutputType()) wd.type = static_cast<OutputType>(static_cast<int>(*t));
    auto probe = DescriptorSpkm::Make(wd, Params(), error);
    if (!probe) return false;
    const consensus::Uint256 id = probe->Id();
    if (auto it = m_spkms.find(id); it != m_spkms.end()) {
        // The same descriptor again (Core's UpdateWalletDescriptor): its range must include
        // the one watched (Core's CanUpdateToWalletDescriptor, with its message); then the
        // import's range and next index replace the old ones, as Core's do.
        const WalletDescriptor& old = it->second.Data();
        const int32_t watched_end = it->second.WatchedEnd(m_env.keypool);
        if (d.desc.IsRange() && (wd.range_start > old.range_start || wd.range_end < watched_end)) {
            error = "new range must include current range = [" + std::to_string(old.range_start) + "," +
                    std::to_string(watched_end - 1) + "]";
            return false;
        }
    }
    std::string private_text;
    if (d.desc.HasPrivateKeys()) {
        // Keys the descriptor does not hold stay public in the text (Core keeps what it was given).
        (void)d.desc.ToPrivateString(private_text);
    }
    WalletBatch batch;
    const bool activate = d.active && wd.type.has_value();
    if (d.active && !wd.type) warnings.emplace_back("Unknown output type, cannot set descriptor to active.");
    if (!AddDescriptor(wd, private_text, activate, batch, error)) return false;
    if (!d.active && wd.type) {
        // Imported as inactive: if it was the active one of its kind, it is no longer.
        const std::pair<OutputType, bool> key{*wd.type, wd.internal};
        if (auto a = m_active.find(key); a != m_active.end() && a->second == id) {
            m_active.erase(a);
            batch.Erase(ActiveKey(*wd.type, wd.internal));
        }
    }
    if (d.label && !d.desc.IsRange()) {
        if (auto script = m_spkms.at(id).ScriptAt(0)) {
            m_labels[*script] = *d.label;
            batch.Put(std::string(dbkeys::LABEL) + std::string(script->begin(), script->end()), *d.label);
        }
    }
    if (m_flags & WALLET_FLAG_BLANK_WALLET) {
        // A blank wallet that received keys is blank no more (Core's UnsetBlankWalletFlag).
        m_flags &= ~static_cast<uint64_t>(WALLET_FLAG_BLANK_WALLET);
        batch.Put(std::string(dbkeys::FLAGS), EncodeU64(m_flags));
    }
    return Commit(batch, error);
}

std::optional<std::string> Wallet::PrivateDescriptor(const std::string& public_descriptor) const
{
    util::LockGuard lock(m_mutex);
    for (const auto& [id, spkm] : m_spkms) {
        if (spkm.Data().descriptor != public_descriptor) continue;
        auto priv = m_private.find(id);
        if (priv == m_private.end()) return std::nullopt;
        std::string out;
        if (!priv->second.ToPrivateString(out)) return std::nullopt;
        return out;
    }
    return std::nullopt;
}

} // namespace wallet
