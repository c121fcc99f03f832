// The wallet's life: creation with its HD descriptors, loading, the address book, and keeping
// up with the chain (blocks connected and disconnected, mempool arrivals, catch-up at load).
// Balances and coins are in receive.cpp.
#include "wallet/wallet.h"

#include "common/descriptor_key.h"
#include "common/descriptor_util.h"
#include "common/solver.h"
#include "consensus/hex.h"
#include "consensus/script/bip32.h"
#include "consensus/script/key.h"
#include "consensus/serialize.h"
#include "util/logging.h"

#include <openssl/rand.h>

#include <array>
#include <chrono>

namespace wallet {

using common::interfaces::BlockRef;
using consensus::Uint256;

namespace {

/** Wallet database version written at creation (Core's FEATURE_LATEST for descriptor wallets). */
constexpr uint64_t WALLET_VERSION = 169900;

/** Forwards the chain's notifications to a wallet while it exists. */
class NotificationForwarder final : public common::interfaces::ChainNotifications {
public:
    explicit NotificationForwarder(std::weak_ptr<Wallet> wallet) : m_wallet(std::move(wallet)) {}
    void BlockConnected(const consensus::Block& block, const BlockRef& ref) override
    {
        if (auto w = m_wallet.lock()) w->BlockConnected(block, ref);
    }
    void BlockDisconnected(const consensus::Block& block, const BlockRef& ref) override
    {
        if (auto w = m_wallet.lock()) w->BlockDisconnected(block, ref);
    }
    void TransactionAddedToMempool(const consensus::TransactionRef& tx) override
    {
        if (auto w = m_wallet.lock()) w->TransactionAddedToMempool(tx);
    }
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx) override
    {
        if (auto w = m_wallet.lock()) w->TransactionRemovedFromMempool(tx);
    }

private:
    std::weak_ptr<Wallet> m_wallet;
};

/** Core's requestMempoolTransactions replay, to Wallet::ReplayMempoolTransaction. */
class MempoolReplay final : public common::interfaces::ChainNotifications {
public:
    explicit MempoolReplay(Wallet& wallet) : m_wallet(wallet) {}
    void TransactionAddedToMempool(const consensus::TransactionRef& tx) override
    {
        m_wallet.ReplayMempoolTransaction(tx);
    }

private:
    Wallet& m_wallet;
};

/** "84h/1h/0h": a path in descriptor notation. */
std::string PathString(const std::vector<uint32_t>& path)
{
    std::string s;
    for (uint32_t step : path) {
        s += "/" + std::to_string(step & ~consensus::BIP32_HARDENED);
        if (step & consensus::BIP32_HARDENED) s += "h";
    }
    return s;
}

} // namespace

Wallet::Wallet(const WalletEnv& env, std::string name, std::unique_ptr<WalletDatabase> db)
    : m_env(env), m_name(std::move(name)), m_db(std::move(db)), m_relock_timer([this] { RelockIfExpired(); })
{}

Wallet::~Wallet() { Disconnect(); }

int64_t Wallet::Now() const
{
    if (m_env.now) return m_env.now();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void Wallet::Fatal(const std::string& error) const
{
    util::LogPrintf("Error: wallet \"%s\": %s", m_name.c_str(), error.c_str());
    if (m_env.fatal_error) m_env.fatal_error(error);
}

bool Wallet::Commit(const WalletBatch& batch, std::string& error)
{
    if (batch.Empty() && m_unwritten_spkms.empty()) return true;
    m_balance_cache.clear();
    if (!m_unwritten_spkms.empty()) {
        // A change address taken for the transaction being recorded (GetNewScript's
        // defer_write): its descriptor's record joins this batch, all or nothing with it.
        WalletBatch full = batch;
        for (const auto& id : m_unwritten_spkms) {
            full.Put(KeyWithId(dbkeys::DESCRIPTOR, id), EncodeDescriptor(m_spkms.at(id).Data()));
        }
        if (!m_db->Write(full, error)) {
            Fatal(error);
            return false;
        }
        m_unwritten_spkms.clear();
        return true;
    }
    if (m_db->Write(batch, error)) return true;
    Fatal(error);
    return false;
}

bool Wallet::SetupDescriptors(WalletBatch& batch, std::string& error)
{
    // A fresh BIP-32 seed, and from it Core's eight descriptors: BIP-44 pkh, BIP-49
    // sh(wpkh), BIP-84 wpkh and BIP-86 tr, each for receiving (/0/*) and change (/1/*).
    std::array<uint8_t, 32> seed{};
    if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
        error = "Error: could not generate a random seed";
        return false;
    }
    auto master = consensus::Bip32Master(seed);
    consensus::WipeSecret(seed.data(), seed.size());
    if (!master) {
        error = "Error: could not generate a master key";
        return false;
    }
    const auto& params = Params();
    const consensus::Bip32Version prv = common::ExtKeyVersion(params);
    const consensus::Bip32Version pub = common::ExtPubKeyVersion(params);
    const auto fingerprint = consensus::Bip32Fingerprint(consensus::Bip32Neuter(*master).pubkey);
    const uint32_t coin = prv == consensus::BIP32_XPRV ? 0 : 1; // BIP-44 coin type: 1 for every test network
    struct Kind {
        OutputType type;
        uint32_t purpose;
        const char* open;
        const char* close;
    };
    for (const Kind& k :
         {Kind{OutputType::LEGACY, 44, "pkh(", ")"}, Kind{OutputType::P2SH_SEGWIT, 49, "sh(wpkh(", "))"},
          Kind{OutputType::BECH32, 84, "wpkh(", ")"}, Kind{OutputType::BECH32M, 86, "tr(", ")"}}) {
        const std::vector<uint32_t> path{k.purpose | consensus::BIP32_HARDENED, coin | consensus::BIP32_HARDENED,
                                         consensus::BIP32_HARDENED};
        std::optional<consensus::ExtKey> account = *master;
        for (uint32_t step : path) account = account ? consensus::Bip32Derive(*account, step) : std::nullopt;
        if (!account) {
            error = "Error: could not derive the account key";
            return false;
        }
        const std::string origin = "[" + consensus::HexStr(fingerprint) + PathString(path) + "]";
        for (bool internal : {false, true}) {
            const std::string tail = std::string(internal ? "/1/*" : "/0/*") + k.close;
            WalletDescriptor d;
            d.descriptor = common::AddDescriptorChecksum(
                k.open + origin + consensus::EncodeExtPubKey(consensus::Bip32Neuter(*account), pub) + tail);
            d.creation_time = Now();
            d.internal = internal;
            d.type = k.type;
            // As Core's wallet: the private form holds the master key and the whole path, so
            // listdescriptors true and gethdkeys show the master key (the public form, the account key).
            const std::string priv =
                common::AddDescriptorChecksum(k.open + consensus::EncodeExtKey(*master, prv) + PathString(path) + tail);
            if (!AddDescriptor(d, priv, /*active=*/true, batch, error)) return false;
        }
        account->key.fill(0);
    }
    master->key.fill(0);
    return true;
}

std::shared_ptr<Wallet> Wallet::Create(const WalletEnv& env, std::string name, const std::filesystem::path& dir,
                                       const CreateOptions& options, std::string& error)
{
    if (!options.passphrase.empty() && options.disable_private_keys) {
        error = "Passphrase provided but private keys are disabled. A passphrase is only used to encrypt private keys, "
                "so cannot be used for wallets with private keys disabled.";
        return nullptr;
    }
    WalletDatabase::Options dbo;
    dbo.create = true;
    dbo.env = env.db_env;
    auto db = WalletDatabase::Open(dir, dbo, error);
    if (!db) return nullptr;
    std::shared_ptr<Wallet> w(new Wallet(env, std::move(name), std::move(db)));
    util::LockGuard lock(w->m_mutex);
    WalletBatch batch;
    w->m_flags = WALLET_FLAG_DESCRIPTORS;
    if (options.disable_private_keys) w->m_flags |= WALLET_FLAG_DISABLE_PRIVATE_KEYS;
    if (options.blank) w->m_flags |= WALLET_FLAG_BLANK_WALLET;
    if (options.avoid_reuse) w->m_flags |= WALLET_FLAG_AVOID_REUSE;
    batch.Put(std::string(dbkeys::VERSION), EncodeU64(WALLET_VERSION));
    batch.Put(std::string(dbkeys::FLAGS), EncodeU64(w->m_flags));
    // With a passphrase the master key comes first, so no secret is ever written in the clear.
    if (!options.passphrase.empty() && !w->SetupEncryption(options.passphrase, batch, error)) return nullptr;
    if (!options.blank && !options.disable_private_keys && !w->SetupDescriptors(batch, error)) return nullptr;
    if (auto tip = env.chain->GetTip()) w->SetLastBlock(SyncPoint{tip->hash, tip->height}, batch);
    if (!w->m_db->Write(batch, error)) return nullptr;
    w->LockLocked(); // an encrypted wallet starts locked
    return w;
}

bool Wallet::AddDescriptor(const WalletDescriptor& desc, const std::string& private_desc, bool active,
                           WalletBatch& batch, std::string& error)
{
    auto spkm = DescriptorSpkm::Make(desc, Params(), error);
    if (!spkm) return false;
    const Uint256 id = spkm->Id();
    batch.Put(KeyWithId(dbkeys::DESCRIPTOR, id), EncodeDescriptor(desc));
    if (!private_desc.empty()) {
        auto priv = common::ParseDescriptor(private_desc, Params(), error);
        if (!priv) return false;
        // Encrypted under the master key when the wallet is encrypted; refused while it is locked.
        if (!StorePrivate(id, private_desc, batch, error)) return false;
        std::vector<consensus::ExtPubKey> roots;
        std::string value;
        for (const auto& root : priv->RootExtKeys()) {
            if (!value.empty()) value += ',';
            value += consensus::EncodeExtPubKey(root.xpub, common::ExtPubKeyVersion(Params()));
            roots.push_back(root.xpub);
        }
        if (!roots.empty()) {
            batch.Put(KeyWithId(dbkeys::HD_ROOTS, id), value);
            m_roots.insert_or_assign(id, std::move(roots));
        }
        m_private.insert_or_assign(id, std::move(*priv));
    }
    if (active && desc.type) {
        m_active[{*desc.type, desc.internal}] = id;
        batch.Put(ActiveKey(*desc.type, desc.internal),
                  std::string(reinterpret_cast<const char*>(id.data()), id.size()));
    }
    auto [it, inserted] = m_spkms.insert_or_assign(id, std::move(*spkm));
    // A descriptor imported again may start lower than before: its scripts are registered anew.
    if (!inserted) m_registered_end.erase(id);
    if (!TopUp(it->second, error)) return false;
    // Written again with the range end the top-up grew (the same batch: this record wins).
    batch.Put(KeyWithId(dbkeys::DESCRIPTOR, id), EncodeDescriptor(it->second.Data()));
    return true;
}

bool Wallet::TopUp(DescriptorSpkm& spkm, std::string& error)
{
    // The scripts it derived since this last ran are the wallet's too (only those: a send tops up
    // the change descriptor, and going over every script it ever derived made each send slower
    // than the last). Registered even when the top-up fails part-way, and whoever derived them.
    const bool ok = spkm.TopUp(m_env.keypool, error);
    int32_t& registered = m_registered_end[spkm.Id()];
    for (auto it = spkm.ScriptsByIndex().lower_bound(registered); it != spkm.ScriptsByIndex().end(); ++it) {
        m_scripts.emplace(it->second, ScriptRef{spkm.Id(), it->first, std::nullopt});
        registered = it->first + 1;
        // Outputs the wallet holds that pay this script are its coins now.
        if (auto paid = m_foreign_outputs.find(it->second); paid != m_foreign_outputs.end()) {
            const std::vector<consensus::OutPoint> outpoints = std::move(paid->second);
            m_foreign_outputs.erase(paid);
            for (const auto& op : outpoints) RefreshCoin(op);
        }
    }
    return ok;
}

std::shared_ptr<Wallet> Wallet::Load(const WalletEnv& env, std::string name, const std::filesystem::path& dir,
                                     std::string& error)
{
    WalletDatabase::Options dbo;
    dbo.env = env.db_env;
    auto db = WalletDatabase::Open(dir, dbo, error);
    if (!db) return nullptr;
    std::shared_ptr<Wallet> w(new Wallet(env, std::move(name), std::move(db)));
    if (!w->ReadRecords(error)) return nullptr;
    return w;
}

bool Wallet::ReadRecords(std::string& error)
{
    util::LockGuard lock(m_mutex);
    try {
        const auto flags = m_db->Read(dbkeys::FLAGS);
        if (!flags) {
            error = "Wallet file verification failed: no wallet flags (not a wallet database)";
            return false;
        }
        m_flags = DecodeU64(*flags);
        if (auto best = m_db->Read(dbkeys::BEST_BLOCK)) {
            auto [hash, height] = DecodeBestBlock(*best);
            m_last_block = SyncPoint{hash, height};
        }
        m_db->ForEach(dbkeys::DESCRIPTOR, [&](std::string_view, std::string_view value) REQUIRES(m_mutex) {
            const WalletDescriptor d = DecodeDescriptor(value);
            auto spkm = DescriptorSpkm::Make(d, Params(), error);
            if (!spkm) throw consensus::DecodeError("descriptor: " + error);
            const Uint256 id = spkm->Id();
            m_spkms.insert_or_assign(id, std::move(*spkm));
            return true;
        });
        m_db->ForEach(dbkeys::DESCRIPTOR_KEYS, [&](std::string_view key, std::string_view value) REQUIRES(m_mutex) {
            if (key.size() != dbkeys::DESCRIPTOR_KEYS.size() + Uint256::size())
                throw consensus::DecodeError("bad key record");
            const Uint256 id(std::span<const uint8_t>(
                reinterpret_cast<const uint8_t*>(key.data()) + dbkeys::DESCRIPTOR_KEYS.size(), Uint256::size()));
            auto priv = common::ParseDescriptor(value, Params(), error);
            if (!priv) throw consensus::DecodeError("a private descriptor does not parse"); // its text may quote a key
            m_private.insert_or_assign(id, std::move(*priv));
            return true;
        });
        m_db->ForEach(dbkeys::HD_ROOTS, [&](std::string_view key, std::string_view value) REQUIRES(m_mutex) {
            if (key.size() != dbkeys::HD_ROOTS.size() + Uint256::size())
                throw consensus::DecodeError("bad root record");
            const Uint256 id(std::span<const uint8_t>(
                reinterpret_cast<const uint8_t*>(key.data()) + dbkeys::HD_ROOTS.size(), Uint256::size()));
            const std::array<consensus::Bip32Version, 1> versions{common::ExtPubKeyVersion(Params())};
            std::vector<consensus::ExtPubKey> roots;
            for (size_t start = 0; start <= value.size();) {
                const size_t end = std::min(value.find(',', start), value.size());
                std::string why;
                auto k = consensus::DecodeExtKey(value.substr(start, end - start), versions, {}, why);
                if (!k || k->is_private) throw consensus::DecodeError("bad root record: " + why);
                roots.push_back(k->pub);
                start = end + 1;
            }
            m_roots.insert_or_assign(id, std::move(roots));
            return true;
        });
        if (auto mkey = m_db->Read(MasterKeyKey())) {
            m_master_record = DecodeMasterKey(*mkey);
        }
        m_db->ForEach(dbkeys::CRYPTED_DESCRIPTOR_KEYS,
                      [&](std::string_view key, std::string_view value) REQUIRES(m_mutex) {
                          if (key.size() != dbkeys::CRYPTED_DESCRIPTOR_KEYS.size() + Uint256::size() ||
                              value.size() <= WALLET_CRYPTO_IV_SIZE) {
                              throw consensus::DecodeError("bad encrypted key record");
                          }
                          const Uint256 id(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()) +
                                                                        dbkeys::CRYPTED_DESCRIPTOR_KEYS.size(),
                                                                    Uint256::size()));
                          m_crypted[id].assign(value.begin(), value.end());
                          return true;
                      });
        // Encrypted secrets need a master key, and an encrypted wallet holds no plain ones.
        if (!m_crypted.empty() && !m_master_record) throw consensus::DecodeError("encrypted keys without a master key");
        if (m_master_record && !m_private.empty()) throw consensus::DecodeError("encrypted wallet with plain keys");
        m_db->ForEach(dbkeys::ACTIVE, [&](std::string_view key, std::string_view value) REQUIRES(m_mutex) {
            if (key.size() != dbkeys::ACTIVE.size() + 2 || value.size() != Uint256::size()) {
                throw consensus::DecodeError("bad active descriptor record");
            }
            const auto type = static_cast<uint8_t>(key[dbkeys::ACTIVE.size()]);
            if (type > static_cast<uint8_t>(OutputType::BECH32M)) throw consensus::DecodeError("bad output type");
            Uint256 id(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
            if (!m_spkms.contains(id)) throw consensus::DecodeError("active descriptor missing");
            m_active[{static_cast<OutputType>(type), key.back() != 0}] = id;
            return true;
        });
        // A larger -keypool than before grows the kept range ends: written now, as Core's TopUp
        // writes its descriptor (a smaller one changes nothing).
        WalletBatch grown;
        for (auto& [id, spkm] : m_spkms) {
            const int32_t before = spkm.Data().range_end;
            if (!TopUp(spkm, error)) return false;
            if (spkm.Data().range_end != before) {
                grown.Put(KeyWithId(dbkeys::DESCRIPTOR, id), EncodeDescriptor(spkm.Data()));
            }
        }
        if (!grown.Empty() && !m_db->Write(grown, error)) return false;
        m_db->ForEach(dbkeys::LABEL, [&](std::string_view key, std::string_view value) REQUIRES(m_mutex) {
            const auto* p = reinterpret_cast<const uint8_t*>(key.data()) + dbkeys::LABEL.size();
            m_labels[consensus::Script(std::span<const uint8_t>(p, key.size() - dbkeys::LABEL.size()))] =
                std::string(value);
            return true;
        });
        m_db->ForEach(dbkeys::USED, [&](std::string_view key, std::string_view) REQUIRES(m_mutex) {
            const auto* p = reinterpret_cast<const uint8_t*>(key.data()) + dbkeys::USED.size();
            m_used.insert(consensus::Script(std::span<const uint8_t>(p, key.size() - dbkeys::USED.size())));
            return true;
        });
        m_db->ForEach(dbkeys::LOCKED, [&](std::string_view key, std::string_view) REQUIRES(m_mutex) {
            std::span<const uint8_t> b(reinterpret_cast<const uint8_t*>(key.data()) + dbkeys::LOCKED.size(),
                                       key.size() - dbkeys::LOCKED.size());
            consensus::ByteReader r(b);
            const consensus::OutPoint op = consensus::OutPoint::Deserialize(r);
            m_locked.insert(op);
            m_locked_persistent.insert(op);
            return true;
        });
        m_db->ForEach(dbkeys::TX, [&](std::string_view, std::string_view value) REQUIRES(m_mutex) {
            WalletTx wtx = DecodeWalletTx(value);
            const Uint256 txid = wtx.tx->GetTxid();
            AddSpends(*wtx.tx);
            IndexNewTx(m_txs.emplace(txid, std::move(wtx)).first->second);
            return true;
        });
    } catch (const std::exception& e) {
        error = std::string("Wallet corrupted: ") + e.what();
        return false;
    }
    return true;
}

bool Wallet::AttachChain(const std::shared_ptr<Wallet>& self, std::string& error)
{
    common::interfaces::Chain& chain = self->Chain();
    {
        // Subscribe first: a block connected while the catch-up runs is processed twice at
        // worst, and processing is idempotent.
        util::LockGuard lock(self->m_handler_mutex);
        self->m_handler = chain.HandleNotifications(std::make_shared<NotificationForwarder>(self));
    }
    // Where to start: the last block synced if it is still in the active chain, else the
    // deepest ancestor of it that is (walking back along the wallet's own confirmed transactions
    // is not needed: blocks of the stale branch are undone by re-checking every confirmation).
    int start = 0;
    {
        util::LockGuard lock(self->m_mutex);
        WalletBatch batch;
        const SyncPoint last = self->m_last_block;
        if (last.height >= 0 && chain.GetActiveHeight(last.hash)) {
            start = last.height + 1;
        } else if (last.height >= 0) {
            start = std::max(0, std::min(last.height, chain.GetTip() ? chain.GetTip()->height : 0) - 100);
        }
        // A confirmation in a block that left the active chain while the wallet was closed is undone.
        for (auto& [txid, wtx] : self->m_txs) {
            if (wtx.state.kind == TxState::Kind::INACTIVE) continue;
            if (chain.GetActiveHeight(wtx.state.block_hash)) continue;
            // A block that left the active chain: the new branch forked at or below its height.
            start = std::min(start, std::max(0, wtx.state.block_height));
            wtx.state = TxState::Inactive(wtx.state.abandoned);
            self->StoreTx(wtx, batch);
            self->RefreshCoins(wtx);
        }
        if (!self->Commit(batch, error)) return false;
    }
    const auto tip = chain.GetTip();
    if (tip && start <= tip->height) {
        util::LogPrintf("Wallet \"%s\": rescanning blocks %d to %d", self->m_name.c_str(), start, tip->height);
        if (!self->ScanBlocks(start, std::nullopt, error)) return false;
    }
    // Core's requestMempoolTransactions: what entered the mempool while the wallet was not
    // loaded (a payment to it, its own unconfirmed sends) is its too. An arrival notified at the
    // same time is added twice at worst, which is idempotent.
    MempoolReplay replay(*self);
    chain.RequestMempoolTransactions(replay);
    return true;
}

void Wallet::Disconnect()
{
    std::unique_ptr<common::interfaces::Handler> handler;
    {
        util::LockGuard lock(m_handler_mutex);
        handler = std::move(m_handler);
    }
    if (handler) handler->Disconnect();
}

bool Wallet::HasFlag(WalletFlag flag) const
{
    util::LockGuard lock(m_mutex);
    return (m_flags & flag) != 0;
}

uint64_t Wallet::Flags() const
{
    util::LockGuard lock(m_mutex);
    return m_flags;
}

bool Wallet::SetAvoidReuse(bool value, std::string& error)
{
    util::LockGuard lock(m_mutex);
    const uint64_t before = m_flags;
    m_flags = value ? (m_flags | WALLET_FLAG_AVOID_REUSE) : (m_flags & ~uint64_t{WALLET_FLAG_AVOID_REUSE});
    WalletBatch batch;
    batch.Put(std::string(dbkeys::FLAGS), EncodeU64(m_flags));
    if (Commit(batch, error)) return true;
    m_flags = before;
    return false;
}

SyncPoint Wallet::LastBlock() const
{
    util::LockGuard lock(m_mutex);
    return m_last_block;
}

void Wallet::AddSpends(const consensus::Transaction& tx)
{
    if (tx.IsCoinBase()) return; // a coinbase spends nothing
    for (const auto& in : tx.vin) m_spends.emplace(in.prevout, tx.GetTxid());
}

void Wallet::SetLastBlock(const SyncPoint& point, WalletBatch& batch)
{
    m_last_block = point;
    batch.Put(std::string(dbkeys::BEST_BLOCK), EncodeBestBlock(point.hash, point.height));
}

// ---- Addresses

std::optional<consensus::Script> Wallet::GetNewScript(OutputType type, const std::string& label, bool internal,
                                                      std::string& error, bool defer_write)
{
    util::LockGuard lock(m_mutex);
    if (m_flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS && m_active.empty()) {
        error = "Error: This wallet has no available keys";
        return std::nullopt;
    }
    auto it = m_active.find({type, internal});
    if (it == m_active.end()) {
        error = std::string("Error: No ") + OutputTypeName(type) +
                (internal ? " addresses available." : " addresses available.");
        return std::nullopt;
    }
    DescriptorSpkm& spkm = m_spkms.at(it->second);
    auto script = spkm.TakeNext(error);
    if (!script) return std::nullopt;
    // Topped up first: the record written keeps the grown range end too.
    if (!TopUp(spkm, error)) return std::nullopt;
    if (defer_write && internal) {
        // Seen by no one until the transaction holding it is recorded, in the same batch.
        m_unwritten_spkms.insert(spkm.Id());
        return script;
    }
    WalletBatch batch;
    batch.Put(KeyWithId(dbkeys::DESCRIPTOR, spkm.Id()), EncodeDescriptor(spkm.Data()));
    if (!internal) {
        m_labels[*script] = label;
        batch.Put(std::string(dbkeys::LABEL) + std::string(script->begin(), script->end()), label);
    }
    // Written before it is handed out: a kill -9 after the reply cannot forget it.
    if (!Commit(batch, error)) return std::nullopt;
    return script;
}

void Wallet::ReturnChangeScript(OutputType type, const consensus::Script& script)
{
    util::LockGuard lock(m_mutex);
    auto it = m_active.find({type, /*internal=*/true});
    if (it == m_active.end()) return;
    DescriptorSpkm& spkm = m_spkms.at(it->second);
    const auto index = spkm.IndexOf(script);
    if (!index || !spkm.ReturnIndex(*index)) return;
    WalletBatch batch;
    batch.Put(KeyWithId(dbkeys::DESCRIPTOR, spkm.Id()), EncodeDescriptor(spkm.Data()));
    std::string error;
    Commit(batch, error);
}

bool Wallet::CanGetAddresses(bool internal) const
{
    util::LockGuard lock(m_mutex);
    return std::any_of(m_active.begin(), m_active.end(), [&](const auto& a) { return a.first.second == internal; });
}

bool Wallet::IsMine(const consensus::Script& script) const
{
    util::LockGuard lock(m_mutex);
    return IsMineLocked(script);
}

bool Wallet::IsMineLocked(const consensus::Script& script) const { return m_scripts.contains(script); }

bool Wallet::IsChange(const consensus::Script& script) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_scripts.find(script);
    return it != m_scripts.end() && m_spkms.at(it->second.spkm).Data().internal;
}

std::optional<std::string> Wallet::GetLabel(const consensus::Script& script) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_labels.find(script);
    if (it == m_labels.end()) return std::nullopt;
    return it->second;
}

bool Wallet::SetLabel(const consensus::Script& script, const std::string& label, std::string& error)
{
    util::LockGuard lock(m_mutex);
    m_labels[script] = label;
    WalletBatch batch;
    batch.Put(std::string(dbkeys::LABEL) + std::string(script.begin(), script.end()), label);
    return Commit(batch, error);
}

std::map<consensus::Script, std::string> Wallet::Labels() const
{
    util::LockGuard lock(m_mutex);
    return m_labels;
}

std::vector<std::pair<WalletDescriptor, bool>> Wallet::Descriptors() const
{
    util::LockGuard lock(m_mutex);
    std::vector<std::pair<WalletDescriptor, bool>> out;
    for (const auto& [id, spkm] : m_spkms) {
        bool active = false;
        for (const auto& [key, active_id] : m_active) active |= active_id == id;
        out.emplace_back(spkm.Data(), active);
    }
    return out;
}

std::vector<Wallet::HdKey> Wallet::HdKeys(bool active_only) const
{
    util::LockGuard lock(m_mutex);
    std::map<std::string, HdKey> by_xpub;
    const auto& params = Params();
    for (const auto& [id, spkm] : m_spkms) {
        bool active = false;
        for (const auto& [key, active_id] : m_active) active |= active_id == id;
        if (active_only && !active) continue;
        // The private form's keys are the roots (the master key of generated descriptors);
        // while locked, their public keys as recorded; without a record, the public form's.
        auto priv = m_private.find(id);
        std::vector<common::Descriptor::RootKey> roots;
        if (priv != m_private.end()) {
            roots = priv->second.RootExtKeys();
        } else if (auto r = m_roots.find(id); r != m_roots.end()) {
            for (const auto& xpub : r->second) roots.push_back({xpub, std::nullopt});
        } else {
            roots = spkm.Descriptor().RootExtKeys();
        }
        for (const auto& root : roots) {
            const std::string xpub = consensus::EncodeExtPubKey(root.xpub, common::ExtPubKeyVersion(params));
            HdKey& k = by_xpub[xpub];
            k.xpub = xpub;
            if (root.xprv) {
                k.xprv = consensus::EncodeExtKey(*root.xprv, common::ExtKeyVersion(params));
            }
            // Core's HasPrivKey counts encrypted keys too: a locked wallet still has them (while
            // locked, the secrets cannot be told apart: every root of such a descriptor counts).
            k.has_private |= root.xprv.has_value() || (priv == m_private.end() && m_crypted.contains(id));
            k.descriptors.emplace_back(spkm.Data().descriptor, active);
        }
    }
    std::vector<HdKey> out;
    for (auto& [xpub, k] : by_xpub) {
        std::sort(k.descriptors.begin(), k.descriptors.end());
        out.push_back(std::move(k));
    }
    return out;
}

std::optional<std::string> Wallet::ParentDescriptor(const consensus::Script& script) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_scripts.find(script);
    if (it == m_scripts.end()) return std::nullopt;
    return m_spkms.at(it->second.spkm).Data().descriptor;
}

std::optional<Wallet::ScriptInfo> Wallet::DescribeScript(const consensus::Script& script) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_scripts.find(script);
    if (it == m_scripts.end()) return std::nullopt;
    const DescriptorSpkm& spkm = m_spkms.at(it->second.spkm);
    return ScriptInfo{spkm.Descriptor().InferAt(static_cast<uint32_t>(it->second.index)), spkm.Data().creation_time};
}

std::optional<common::FlatSigningProvider> Wallet::GetProvider(const consensus::Script& script, bool with_private) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_scripts.find(script);
    if (it == m_scripts.end()) return std::nullopt;
    const auto index = static_cast<uint32_t>(it->second.index);
    // The public expansion of a script never changes, and deriving it (BIP-32) is what every
    // coin's size estimate would cost on every send: it is kept (Core's m_map_signing_providers).
    auto cached = m_solving_cache.find(script);
    if (cached == m_solving_cache.end()) {
        common::FlatSigningProvider solving;
        std::vector<consensus::Script> scripts;
        std::string error;
        if (!m_spkms.at(it->second.spkm)
                 .Descriptor()
                 .Expand(index, common::FlatSigningProvider{}, scripts, solving, error))
            return std::nullopt;
        cached = m_solving_cache.emplace(script, std::move(solving)).first;
    }
    common::FlatSigningProvider out = cached->second;
    auto priv = m_private.find(it->second.spkm);
    if (with_private && priv != m_private.end() && !IsLockedLocked())
        priv->second.ExpandPrivate(index, common::FlatSigningProvider{}, out);
    return out;
}

namespace {

/** The form of a script (the solver's type): what, with its descriptor, fixes its spend size. */
int ScriptForm(const consensus::Script& script)
{
    std::vector<std::vector<uint8_t>> solutions;
    return static_cast<int>(common::SolveScript(script, solutions));
}

} // namespace

InputInfo Wallet::CachedInputInfo(const consensus::Script& script, const std::function<InputInfo()>& compute) const
{
    {
        util::LockGuard lock(m_mutex);
        if (auto it = m_scripts.find(script); it != m_scripts.end()) {
            if (it->second.input) return *it->second.input;
            const auto same = m_input_by_form.find({it->second.spkm, ScriptForm(script)});
            if (same != m_input_by_form.end()) {
                it->second.input = same->second;
                return same->second;
            }
        }
    }
    const InputInfo info = compute();
    if (info.vsize < 0) return info;
    util::LockGuard lock(m_mutex);
    if (auto it = m_scripts.find(script); it != m_scripts.end()) {
        it->second.input = info;
        m_input_by_form.emplace(std::pair{it->second.spkm, ScriptForm(script)}, info);
    }
    return info;
}

void Wallet::SetPayTxFee(common::FeeRate rate)
{
    util::LockGuard lock(m_mutex);
    m_pay_tx_fee = rate;
}

common::FeeRate Wallet::PayTxFee() const
{
    util::LockGuard lock(m_mutex);
    return m_pay_tx_fee;
}

std::pair<int64_t, int64_t> Wallet::KeypoolSizes() const
{
    util::LockGuard lock(m_mutex);
    int64_t external = 0, internal = 0;
    for (const auto& [key, id] : m_active) {
        const DescriptorSpkm& spkm = m_spkms.at(id);
        const int64_t ahead = static_cast<int64_t>(spkm.DerivedEnd()) - spkm.Data().next_index;
        (key.second ? internal : external) += std::max<int64_t>(ahead, 0);
    }
    return {external, internal};
}

} // namespace wallet
