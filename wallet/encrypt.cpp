// Wallet encryption (Core's CWallet::EncryptWallet, Unlock, Lock, ChangeWalletPassphrase): the
// wallet's secrets are its private descriptors. Encrypted, they are stored as
// "cdesckeys/<id>" records under the master key (wallet/crypter.h), whose own record "mkey/"
// is encrypted under the passphrase. While locked, m_private is empty and the master key is
// not in memory: public derivation (new addresses, the lookahead) uses the public descriptors
// and goes on; signing and adding secrets are refused. No passphrase or secret is ever put into
// an error message or the log.
#include "wallet/wallet.h"

#include "common/descriptor.h"
#include "util/logging.h"

#include <algorithm>
#include <string_view>

namespace wallet {

using consensus::Uint256;

namespace {

/** Core's maximum walletpassphrase timeout (MAX_SLEEP_TIME, ~3 years). */
constexpr int64_t MAX_UNLOCK_SECONDS = 100000000;

const char* const LOCKED_ERROR = "Error: Please enter the wallet passphrase with walletpassphrase first.";
const char* const WRONG_PASSPHRASE = "Error: The wallet passphrase entered was incorrect.";

std::string AsString(std::span<const uint8_t> b)
{
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::optional<SecureBytes> NewMasterKey()
{
    SecureBytes key(WALLET_CRYPTO_KEY_SIZE);
    if (!RandomBytes(key)) return std::nullopt;
    return key;
}

} // namespace

bool Wallet::IsCrypted() const
{
    util::LockGuard lock(m_mutex);
    return m_master_record.has_value();
}

bool Wallet::IsLocked() const
{
    util::LockGuard lock(m_mutex);
    return IsLockedLocked();
}

bool Wallet::IsLockedLocked() const
{
    if (!m_master_record) return false;
    // The timer wipes the secrets when the unlock ends; until it has run, treat them as gone.
    return m_master_key.empty() || (m_relock_time != 0 && Now() >= m_relock_time);
}

bool Wallet::EnsureUnlocked(std::string& error) const
{
    util::LockGuard lock(m_mutex);
    if (!IsLockedLocked()) return true;
    error = LOCKED_ERROR;
    return false;
}

int64_t Wallet::UnlockedUntil() const
{
    util::LockGuard lock(m_mutex);
    return IsLockedLocked() ? 0 : m_relock_time;
}

void Wallet::LockLocked()
{
    if (!m_master_record) return;
    m_private.clear();
    WipeMemory(m_master_key.data(), m_master_key.size());
    m_master_key.clear();
    m_relock_time = 0;
}

void Wallet::Lock()
{
    util::LockGuard lock(m_mutex);
    LockLocked();
    m_relock_timer.Cancel();
}

void Wallet::RelockIfExpired()
{
    util::LockGuard lock(m_mutex);
    if (m_relock_time == 0) return;
    const int64_t now = Now();
    if (now >= m_relock_time) {
        LockLocked();
    } else {
        // The wall clock went back while the steady timer ran: wait for what is left.
        m_relock_timer.Schedule(std::chrono::seconds(m_relock_time - now));
    }
}

bool Wallet::SetupEncryption(const SecureString& passphrase, WalletBatch& batch, std::string& error)
{
    auto master = NewMasterKey();
    std::optional<MasterKeyRecord> record;
    if (master) record = MakeMasterKeyRecord(*master, passphrase);
    if (!record) {
        error = "Error: Failed to encrypt the wallet.";
        return false;
    }
    batch.Put(MasterKeyKey(), EncodeMasterKey(*record));
    m_master_record = std::move(*record);
    m_master_key = std::move(*master);
    return true;
}

bool Wallet::StorePrivate(const Uint256& id, const std::string& private_desc, WalletBatch& batch, std::string& error)
{
    if (!m_master_record) {
        batch.Put(KeyWithId(dbkeys::DESCRIPTOR_KEYS, id), private_desc);
        return true;
    }
    if (IsLockedLocked()) {
        error = LOCKED_ERROR;
        return false;
    }
    auto crypted =
        EncryptSecret(m_master_key, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(private_desc.data()),
                                                             private_desc.size()));
    if (!crypted) {
        error = "Error: could not encrypt a private key";
        return false;
    }
    batch.Put(KeyWithId(dbkeys::CRYPTED_DESCRIPTOR_KEYS, id), AsString(*crypted));
    m_crypted[id] = std::move(*crypted);
    return true;
}

bool Wallet::LoadCryptedSecrets(const SecureBytes& master, std::string& error)
{
    std::map<Uint256, common::Descriptor> loaded;
    for (const auto& [id, record] : m_crypted) {
        auto plain = DecryptSecret(master, record);
        if (!plain) {
            error = "Error: a private key record of the wallet does not decrypt (damaged)";
            return false;
        }
        std::string parse_error;
        auto desc = common::ParseDescriptor(
            std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()), Params(), parse_error);
        // The parser's message could quote the secret: report the failure without it.
        if (!desc) {
            error = "Error: a private key record of the wallet does not decode (damaged)";
            return false;
        }
        loaded.insert_or_assign(id, std::move(*desc));
    }
    m_private = std::move(loaded);
    return true;
}

bool Wallet::Encrypt(const SecureString& passphrase, std::string& error)
{
    util::LockGuard lock(m_mutex);
    if (m_master_record) {
        error = "Error: running with an encrypted wallet, but encryptwallet was called.";
        return false;
    }
    if (m_flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS) {
        error = "Error: wallet does not contain private keys, nothing to encrypt.";
        return false;
    }
    if (passphrase.empty()) {
        error = "passphrase cannot be empty";
        return false;
    }
    auto master = NewMasterKey();
    std::optional<MasterKeyRecord> record;
    if (master) record = MakeMasterKeyRecord(*master, passphrase);
    if (!record) {
        error = "Error: Failed to encrypt the wallet.";
        return false;
    }
    // One batch: the master key, every secret encrypted, the plain records erased. LevelDB
    // applies a batch whole or not at all, so a crash leaves the plain or the encrypted wallet.
    WalletBatch batch;
    batch.Put(MasterKeyKey(), EncodeMasterKey(*record));
    std::map<Uint256, std::vector<uint8_t>> crypted;
    bool ok = true;
    try {
        m_db->ForEach(dbkeys::DESCRIPTOR_KEYS, [&](std::string_view key, std::string_view value) {
            if (key.size() != dbkeys::DESCRIPTOR_KEYS.size() + Uint256::size()) return ok = false;
            const Uint256 id(std::span<const uint8_t>(
                reinterpret_cast<const uint8_t*>(key.data()) + dbkeys::DESCRIPTOR_KEYS.size(), Uint256::size()));
            auto c = EncryptSecret(
                *master, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
            if (!c) return ok = false;
            batch.Put(KeyWithId(dbkeys::CRYPTED_DESCRIPTOR_KEYS, id), AsString(*c));
            batch.Erase(std::string(key));
            crypted.emplace(id, std::move(*c));
            return true;
        });
    } catch (const std::exception&) {
        ok = false; // a storage failure while reading: nothing was written
    }
    if (!ok) {
        error = "Error: Failed to encrypt the wallet.";
        return false;
    }
    // Erased records linger in LevelDB's files until a compaction merges them with their
    // erasure. LevelDB never rewrites its deepest level, so the plain records are first moved
    // into table files (a compaction), then erased, then compacted again: the erasures land
    // above them and the second compaction merges both away.
    m_db->Compact();
    if (!Commit(batch, error)) return false;
    m_master_record = std::move(*record);
    m_crypted = std::move(crypted);
    // As Core: new descriptors from a new seed (stored encrypted), so an unencrypted backup of
    // the old seed cannot spend what is paid to addresses handed out from now on.
    if (!(m_flags & WALLET_FLAG_BLANK_WALLET)) {
        m_master_key = std::move(*master);
        WalletBatch fresh;
        if (!SetupDescriptors(fresh, error) || !Commit(fresh, error)) {
            LockLocked();
            return false;
        }
    }
    LockLocked();
    m_relock_timer.Cancel();
    m_db->Compact();
    util::LogPrintf("Wallet \"%s\": encrypted", m_name.c_str());
    return true;
}

bool Wallet::Unlock(const SecureString& passphrase, int64_t timeout, std::string& error, bool* wrong)
{
    util::LockGuard lock(m_mutex);
    if (!m_master_record) {
        error = "Error: running with an unencrypted wallet, but walletpassphrase was called.";
        return false;
    }
    auto master = OpenMasterKeyRecord(*m_master_record, passphrase);
    if (!master) {
        if (wrong) *wrong = true;
        error = WRONG_PASSPHRASE;
        return false;
    }
    if (!LoadCryptedSecrets(*master, error)) return false;
    m_master_key = std::move(*master);
    timeout = std::clamp<int64_t>(timeout, 0, MAX_UNLOCK_SECONDS);
    m_relock_time = Now() + timeout;
    // The timer takes only its own lock here and never holds it while it takes ours.
    m_relock_timer.Schedule(std::chrono::seconds(timeout));
    return true;
}

bool Wallet::ChangePassphrase(const SecureString& old_passphrase, const SecureString& new_passphrase,
                              std::string& error, bool* wrong)
{
    util::LockGuard lock(m_mutex);
    if (!m_master_record) {
        error = "Error: running with an unencrypted wallet, but walletpassphrasechange was called.";
        return false;
    }
    if (new_passphrase.empty()) {
        error = "passphrase cannot be empty";
        return false;
    }
    auto master = OpenMasterKeyRecord(*m_master_record, old_passphrase);
    if (!master) {
        if (wrong) *wrong = true;
        error = WRONG_PASSPHRASE;
        return false;
    }
    // A new salt and a new calibration, as Core; the secrets keep their master key.
    auto record = MakeMasterKeyRecord(*master, new_passphrase);
    if (!record) {
        error = "Error: Failed to encrypt the wallet.";
        return false;
    }
    WalletBatch batch;
    batch.Put(MasterKeyKey(), EncodeMasterKey(*record));
    // The record under the old passphrase leaves the files as the plain secrets do in Encrypt.
    m_db->Compact();
    if (!Commit(batch, error)) return false;
    m_master_record = std::move(*record);
    m_db->Compact();
    return true;
}

} // namespace wallet
