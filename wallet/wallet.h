// A descriptor wallet (Core's CWallet): its database, its descriptors and the scripts they
// derive, the transactions that pay to or spend from it, and its view of the chain, kept up
// to date from the node's notifications (common/interfaces/chain.h) and saved on every change.
//
// Thread contract: every public method may be called from any thread; one mutex guards the
// wallet's state, and a database write happens under it, so what a call returned is on disk.
// Notifications arrive on the node's notification thread through a handler that holds only a
// weak reference, so an unloaded wallet never hears of the chain again. The wallet never
// holds its lock while it waits for the node (broadcasts are made after the lock is released).
#pragma once

#include "common/feerate.h"
#include "common/interfaces/chain.h"
#include "common/signing_provider.h"
#include "consensus/amount.h"
#include "util/sync.h"
#include "wallet/crypter.h"
#include "wallet/db.h"
#include "wallet/outputtype.h"
#include "wallet/relock_timer.h"
#include "wallet/spkm.h"
#include "wallet/walletdb.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wallet {

/** getbalances' "mine" object (Core's Balance). */
/** What a send needs to know of spending a script: its input size (-1: unknown) and output type. */
struct InputInfo {
    int vsize{-1};
    OutputType type{OutputType::UNKNOWN};
};

/** An unspent output of the wallet (listunspent, coin selection). */
struct WalletCoin {
    consensus::OutPoint outpoint;
    consensus::TxOut txout;
    int depth{0};
    bool safe{true}; //!< confirmed, or ours and trusted (Core's "safe")
    bool from_me{false};
    bool coinbase{false};
    int64_t time{0};
    std::optional<InputInfo> input; //!< its script's input size and type, when the wallet has them already
    bool reused{false};             //!< avoid_reuse wallets: its address was spent from before (Core's IsSpentKey)
};

/** Where the wallet stands in the chain: the last block it processed. */
struct SyncPoint {
    consensus::Uint256 hash;
    int height{-1};
};

struct Balances {
    consensus::Amount trusted{0};
    consensus::Amount untrusted_pending{0};
    consensus::Amount immature{0};
    /**
     * The parts of trusted and untrusted_pending paid to addresses spent from before (avoid_reuse
     * wallets; zero otherwise): getbalance and getbalances leave them out by default (Core's
     * GetBalance with avoid_reuse), getbalances shows them as "used".
     */
    consensus::Amount used_trusted{0};
    consensus::Amount used_untrusted_pending{0};
    SyncPoint at; //!< the last block processed when they were computed (getbalances' lastprocessedblock)
};

/** One importdescriptors request, checked (Core's WalletDescriptor with the keys it holds). */
struct ImportedDescriptor {
    common::Descriptor desc; //!< as parsed: its private keys (if any) are kept as the wallet's secrets
    int64_t timestamp{0};    //!< the creation time recorded (the rescan starts from it)
    int32_t next_index{0};
    int32_t range_start{0}; //!< scripts [range_start, range_end) are watched (ranged descriptors)
    int32_t range_end{0};   //!< exclusive
    bool internal{false};
    bool active{false};
    std::optional<std::string> label; //!< for a non-ranged, non-internal descriptor
};

struct CreateOptions {
    bool disable_private_keys{false};
    bool blank{false};
    bool avoid_reuse{false};
    /** createwallet's passphrase: non-empty makes the wallet encrypted from its first write (then locked). */
    SecureString passphrase;
};

/** The wallet's fee options (Core's defaults; sat/kvB). */
struct FeeSettings {
    common::FeeRate fallback_fee{consensus::Amount{0}};        //!< -fallbackfee: when there is no estimate (0: fail)
    common::FeeRate min_tx_fee{consensus::Amount{100}};        //!< -mintxfee
    consensus::Amount max_tx_fee{consensus::COIN.sats / 10};   //!< -maxtxfee: the largest fee of one send
    common::FeeRate discard_fee{consensus::Amount{10000}};     //!< -discardfee
    common::FeeRate consolidate_fee{consensus::Amount{10000}}; //!< -consolidatefeerate
    int confirm_target{6};                                     //!< -txconfirmtarget
    bool spend_zero_conf_change{true};                         //!< -spendzeroconfchange
};

/** What a wallet needs from the node besides the chain. */
struct WalletEnv {
    common::interfaces::Chain* chain{nullptr};
    /** Called when the wallet cannot write its database: the node stops (a storage error is no verdict). */
    std::function<void(const std::string&)> fatal_error;
    /** Seconds since the epoch (tests inject a clock); empty: the system clock. */
    std::function<int64_t()> now;
    int32_t keypool{DEFAULT_KEYPOOL_SIZE};
    FeeSettings fees;
    /** The LevelDB environment of the wallets' databases (tests inject faults); nullptr: the default. */
    leveldb::Env* db_env{nullptr};
    /**
     * fsyncs a file or a folder outside LevelDB (restorewallet's copy), as util::FsyncPath:
     * false with error on failure. Empty: util::FsyncPath (tests record the order and fail it).
     */
    std::function<bool(const std::filesystem::path&, std::string&)> fsync;
};

class Wallet {
public:
    /** createwallet: makes the database in dir and, unless blank, the eight BIP-44/49/84/86 descriptors. */
    static std::shared_ptr<Wallet> Create(const WalletEnv& env, std::string name, const std::filesystem::path& dir,
                                          const CreateOptions& options, std::string& error);
    /** loadwallet: opens dir's database and reads every record; nullptr with error if it cannot. */
    static std::shared_ptr<Wallet> Load(const WalletEnv& env, std::string name, const std::filesystem::path& dir,
                                        std::string& error);
    ~Wallet();
    Wallet(const Wallet&) = delete;
    Wallet& operator=(const Wallet&) = delete;

    /**
     * Subscribes to the chain's notifications, then catches up from the last block it
     * processed (blocks of a branch that left the active chain while it was closed are undone
     * first). self must be this wallet. False with error when a block cannot be read.
     */
    static bool AttachChain(const std::shared_ptr<Wallet>& self, std::string& error);
    /** Unsubscribes (unloadwallet, shutdown); no notification reaches the wallet afterwards. */
    void Disconnect();

    const std::string& Name() const { return m_name; }
    const WalletDatabase& Database() const { return *m_db; }
    bool HasFlag(WalletFlag flag) const EXCLUDES(m_mutex);
    uint64_t Flags() const EXCLUDES(m_mutex);
    /**
     * setwalletflag avoid_reuse: sets or clears the flag, written at once. While set, every
     * address a wallet transaction spends from is recorded as used (Core's SetSpentKeyState);
     * the record stays when the flag is cleared.
     */
    bool SetAvoidReuse(bool value, std::string& error) EXCLUDES(m_mutex);
    const consensus::ChainParams& Params() const { return m_env.chain->Params(); }
    common::interfaces::Chain& Chain() const { return *m_env.chain; }
    int64_t Now() const;

    // -- Addresses
    /**
     * getnewaddress / getrawchangeaddress: the next script of the active descriptor of type
     * (internal: change), recorded with label (not for change) before it is returned.
     * nullopt with Core's error: -12 "Error: This wallet has no available keys" texts.
     * defer_write (change only): the descriptor's record is not written now but goes into the
     * wallet's next write (Commit), in the same batch: for the change script of a transaction
     * the caller records in the wallet before anyone sees it, so one synced write keeps both.
     */
    std::optional<consensus::Script> GetNewScript(OutputType type, const std::string& label, bool internal,
                                                  std::string& error, bool defer_write = false) EXCLUDES(m_mutex);
    /** Whether an active descriptor hands out addresses (internal: change ones); Core's CanGetAddresses. */
    bool CanGetAddresses(bool internal) const EXCLUDES(m_mutex);
    /**
     * A change script GetNewScript handed out for a transaction that was not made after all:
     * the next one handed out is this one again, if none was handed out since (Core's
     * ReturnDestination). A storage failure stops the wallet (as every write's).
     */
    void ReturnChangeScript(OutputType type, const consensus::Script& script) EXCLUDES(m_mutex);
    /** Core's IsSpent: a wallet transaction that is not abandoned or conflicted spends outpoint. */
    bool IsSpent(const consensus::OutPoint& outpoint) const EXCLUDES(m_mutex);
    /** Whether one of the wallet's descriptors derived script (within the lookahead). */
    bool IsMine(const consensus::Script& script) const EXCLUDES(m_mutex);
    /** Whether script comes from an internal (change) descriptor. */
    bool IsChange(const consensus::Script& script) const EXCLUDES(m_mutex);
    /** The label of script, if it has an address-book entry. */
    std::optional<std::string> GetLabel(const consensus::Script& script) const EXCLUDES(m_mutex);
    /** setlabel: writes the entry. False with error on a storage failure. */
    bool SetLabel(const consensus::Script& script, const std::string& label, std::string& error) EXCLUDES(m_mutex);
    /** Every labelled script with its label. */
    std::map<consensus::Script, std::string> Labels() const EXCLUDES(m_mutex);
    /** The descriptors, with whether each is active (listdescriptors, getwalletinfo). */
    std::vector<std::pair<WalletDescriptor, bool>> Descriptors() const EXCLUDES(m_mutex);
    /** gethdkeys: an extended key the descriptors start from, with the descriptors (public form, active) using it. */
    struct HdKey {
        std::string xpub;
        std::optional<std::string> xprv; //!< when the wallet holds (and can read) the private key
        /**
         * The wallet holds the private key, readable or not: while locked, every root of a
         * descriptor stored with secrets (they cannot be told apart without decrypting).
         */
        bool has_private{false};
        std::vector<std::pair<std::string, bool>> descriptors;
    };
    /** Every HD key of the wallet's descriptors (only the active ones' with active_only), by xpub. */
    std::vector<HdKey> HdKeys(bool active_only) const EXCLUDES(m_mutex);
    /**
     * importdescriptors (Core's AddWalletDescriptor, AddActiveScriptPubKeyMan and
     * DeactivateScriptPubKeyMan): stores d (its secrets through AddDescriptor), makes it the
     * active descriptor of its type when d.active (or no longer active when not), labels its
     * script, all in one batch. An existing descriptor (same id) is updated: its next index and
     * range only grow. Core's warnings are appended to warnings; false with error on failure.
     */
    bool ImportDescriptor(const ImportedDescriptor& d, std::vector<std::string>& warnings, std::string& error)
        EXCLUDES(m_mutex);
    /** listdescriptors private=true: the private form (with checksum) of a descriptor, nullopt without one. */
    std::optional<std::string> PrivateDescriptor(const std::string& public_descriptor) const EXCLUDES(m_mutex);
    /** The public descriptor (with origin) that derives script, as Core's getaddressinfo "desc"/"parent_desc". */
    std::optional<std::string> ParentDescriptor(const consensus::Script& script) const EXCLUDES(m_mutex);
    /** getaddressinfo's "desc" (the script's own descriptor with its key origin) and "timestamp". */
    struct ScriptInfo {
        std::string desc;
        int64_t timestamp{0};
    };
    std::optional<ScriptInfo> DescribeScript(const consensus::Script& script) const EXCLUDES(m_mutex);
    /** The total of addresses still derived ahead (getwalletinfo keypoolsize / keypoolsize_hd_internal). */
    std::pair<int64_t, int64_t> KeypoolSizes() const EXCLUDES(m_mutex);

    // -- Balances and coins (wallet/receive.cpp)
    Balances GetBalances(int min_depth = 0) const EXCLUDES(m_mutex);
    /**
     * Unspent outputs with min_depth <= depth <= max_depth (Core's AvailableCoins): immature
     * coinbases, conflicted and abandoned transactions, and outputs spent by a wallet
     * transaction that is not abandoned or conflicted are left out; unsafe ones only with
     * include_unsafe; locked ones only with include_locked; those paid to a used address
     * (avoid_reuse wallets) only with allow_used. Without with_scripts, a coin whose input size
     * is known comes without its script (txout.script_pubkey empty, which no coin's script is):
     * a send reads the scripts of the few coins it selects (GetOwnedOutput), not of every coin.
     */
    std::vector<WalletCoin> AvailableCoins(int min_depth, int max_depth, bool include_unsafe,
                                           bool include_locked = false, bool allow_used = true,
                                           bool with_scripts = true) const EXCLUDES(m_mutex);
    /**
     * The same coins handed to visit one by one (under the wallet's lock: visit must not call the
     * wallet), so a send builds its own records of them without a list in between. Returns how
     * many the wallet could have handed (its unspent outputs), for reserving.
     */
    size_t VisitAvailableCoins(int min_depth, int max_depth, bool include_unsafe, bool include_locked, bool allow_used,
                               bool with_scripts, const std::function<void(size_t most, WalletCoin&&)>& visit) const
        EXCLUDES(m_mutex);
    /** lockunspent: persistent locks are written; false with error on a storage failure. */
    bool LockCoin(const consensus::OutPoint& outpoint, bool persistent, std::string& error) EXCLUDES(m_mutex);
    bool UnlockCoin(const consensus::OutPoint& outpoint, std::string& error) EXCLUDES(m_mutex);
    bool UnlockAllCoins(std::string& error) EXCLUDES(m_mutex);
    bool IsLockedCoin(const consensus::OutPoint& outpoint) const EXCLUDES(m_mutex);
    std::vector<consensus::OutPoint> ListLockedCoins() const EXCLUDES(m_mutex);

    // -- Transactions
    /** A copy of the wallet transaction txid. */
    std::optional<WalletTx> GetTx(const consensus::Uint256& txid) const EXCLUDES(m_mutex);
    /** How many transactions the wallet holds (getwalletinfo's txcount). */
    size_t TxCount() const EXCLUDES(m_mutex);
    /** Transactions and the last block processed, read together: their depths at `at` agree. */
    struct TxsAt {
        std::vector<WalletTx> txs;
        SyncPoint at;
    };
    /** Every wallet transaction (copies, in no particular order) with the last block processed, under one lock (Core's RPCs hold cs_wallet). */
    TxsAt TransactionsAt() const EXCLUDES(m_mutex);
    /** GetTx() with the last block processed, under one lock; txs is empty if txid is unknown. */
    TxsAt GetTxAt(const consensus::Uint256& txid) const EXCLUDES(m_mutex);
    /**
     * Core's GetTxDepthInMainChain: confirmations for a confirmed transaction, 0 when
     * unconfirmed, minus the conflicting block's confirmations when block-conflicted.
     */
    int Depth(const WalletTx& wtx) const EXCLUDES(m_mutex);
    /** Depth() when the last block processed is at tip_height (with a TxsAt's `at`). */
    static int DepthAt(const WalletTx& wtx, int tip_height);
    /** Core's CachedTxIsTrusted. */
    bool IsTrusted(const consensus::Uint256& txid) const EXCLUDES(m_mutex);
    /** What the wallet owns of tx: outputs paying it (credit) and its inputs spending it (debit). */
    consensus::Amount Credit(const consensus::Transaction& tx) const EXCLUDES(m_mutex);
    consensus::Amount Debit(const consensus::Transaction& tx) const EXCLUDES(m_mutex);
    /** The value of the wallet output outpoint, if the wallet owns it. */
    std::optional<consensus::TxOut> GetOwnedOutput(const consensus::OutPoint& outpoint) const EXCLUDES(m_mutex);
    /** Wallet transactions that spend an input tx spends too (gettransaction "walletconflicts"). */
    std::vector<consensus::Uint256> Conflicts(const consensus::Transaction& tx) const EXCLUDES(m_mutex);
    /** abandontransaction: Core's errors via error. */
    bool AbandonTransaction(const consensus::Uint256& txid, std::string& error) EXCLUDES(m_mutex);
    /** Core's HasWalletSpend: a wallet transaction spends an output of txid (bumpfee refuses then). */
    bool HasWalletSpend(const consensus::Uint256& txid) const EXCLUDES(m_mutex);
    /**
     * Core's MarkReplaced (bumpfee): writes meta "replaced_by_txid" = replacement on the wallet
     * transaction original. False with error if original is unknown or on a storage failure.
     */
    bool MarkReplaced(const consensus::Uint256& original, const consensus::Uint256& replacement, std::string& error)
        EXCLUDES(m_mutex);
    /**
     * Records a transaction the wallet made (sendtoaddress...) with its meta data, so that a
     * kill -9 right after cannot lose it, before it is broadcast.
     */
    bool AddOwnTransaction(const consensus::TransactionRef& tx, std::map<std::string, std::string> meta,
                           std::string& error) EXCLUDES(m_mutex);
    /**
     * Asks the node whether txid is in its mempool and records the answer (after the wallet's
     * own broadcast; the mempool notifications keep it right from then on).
     */
    void RefreshInMempool(const consensus::Uint256& txid) EXCLUDES(m_mutex);
    /** The last block the wallet processed. */
    SyncPoint LastBlock() const EXCLUDES(m_mutex);
    /**
     * rescanblockchain: scans the active chain's blocks from start to stop (the tip if
     * nullopt) for transactions of the wallet. Returns the last height scanned, or nullopt
     * (error set) if a block could not be read.
     */
    std::optional<int> ScanBlocks(int start, std::optional<int> stop, std::string& error) EXCLUDES(m_mutex);

    // -- Spending (wallet/spend.cpp)
    /**
     * What spending script needs: its scripts and public keys, and with with_private its
     * secret keys too (Core's GetSolvingProvider / GetSigningProvider). nullopt if the
     * wallet did not derive script.
     */
    std::optional<common::FlatSigningProvider> GetProvider(const consensus::Script& script, bool with_private) const
        EXCLUDES(m_mutex);
    /**
     * The input size and type of spending script, computed once by compute (called without the
     * wallet's lock) and then kept for the wallet's own scripts: they never change, and each send
     * sizes every coin. An unknown size (-1) is not kept. Every script a descriptor derives has
     * the same form (one per script type of a combo()), so a script of a descriptor whose script
     * of that form was measured takes that answer without compute: each send's change script
     * would otherwise be signed for with placeholder signatures once, on the next send.
     */
    InputInfo CachedInputInfo(const consensus::Script& script, const std::function<InputInfo()>& compute) const
        EXCLUDES(m_mutex);
    /** The wallet's fee settings (-fallbackfee, -mintxfee, -maxtxfee, -txconfirmtarget, -paytxfee/settxfee). */
    const FeeSettings& Fees() const { return m_env.fees; }
    /** -keypool: scripts derived ahead of a descriptor's next index. */
    int32_t Keypool() const { return m_env.keypool; }
    /** settxfee: the fee rate every send uses when none is given (0: estimate). */
    void SetPayTxFee(common::FeeRate rate) EXCLUDES(m_mutex);
    /** Held by a send from choosing coins to recording the transaction, so two sends never pick the same coins. */
    util::Mutex& SendMutex() const { return m_send_mutex; }
    common::FeeRate PayTxFee() const EXCLUDES(m_mutex);

    // -- Encryption (wallet/encrypt.cpp; Core's EncryptWallet, Unlock, Lock, ChangeWalletPassphrase)
    /** Whether the wallet has a master key (is encrypted). */
    bool IsCrypted() const EXCLUDES(m_mutex);
    /** Encrypted and its secrets not in memory (never unlocked, locked, or the unlock time passed). */
    bool IsLocked() const EXCLUDES(m_mutex);
    /**
     * encryptwallet: a new master key under passphrase; every secret record is rewritten
     * encrypted and the plain ones erased in one synced batch (a crash leaves the plain or the
     * encrypted wallet, never a mix); then the database is compacted so the plain records leave
     * its files, and the wallet is locked. False with error (never the passphrase) otherwise.
     */
    bool Encrypt(const SecureString& passphrase, std::string& error) EXCLUDES(m_mutex);
    /**
     * walletpassphrase: decrypts the secrets into memory until Now() + timeout seconds, when the
     * wallet's timer locks it again (a new call replaces the deadline). False (WRONG_PASSPHRASE
     * in *wrong, error set) when passphrase is wrong; false with error for a damaged record.
     */
    bool Unlock(const SecureString& passphrase, int64_t timeout, std::string& error, bool* wrong = nullptr)
        EXCLUDES(m_mutex);
    /** walletlock: wipes the secrets and the master key from memory. No-op when not encrypted. */
    void Lock() EXCLUDES(m_mutex);
    /**
     * walletpassphrasechange: re-encrypts the master key under new_passphrase (a new salt and
     * count); the secrets stay as they are. False when old_passphrase is wrong (*wrong set).
     */
    bool ChangePassphrase(const SecureString& old_passphrase, const SecureString& new_passphrase, std::string& error,
                          bool* wrong = nullptr) EXCLUDES(m_mutex);
    /** getwalletinfo's unlocked_until: the relock time (seconds since the epoch), 0 when locked. */
    int64_t UnlockedUntil() const EXCLUDES(m_mutex);
    /**
     * For any caller that needs private keys: false with Core's text "Error: Please enter the
     * wallet passphrase with walletpassphrase first." when the wallet is locked.
     */
    bool EnsureUnlocked(std::string& error) const EXCLUDES(m_mutex);

    // -- Chain events (the notification handler calls these)
    void BlockConnected(const consensus::Block& block, const common::interfaces::BlockRef& ref) EXCLUDES(m_mutex);
    void BlockDisconnected(const consensus::Block& block, const common::interfaces::BlockRef& ref) EXCLUDES(m_mutex);
    void TransactionAddedToMempool(const consensus::TransactionRef& tx) EXCLUDES(m_mutex);
    /** AttachChain's replay of the mempool: as an arrival, if tx is in the pool when asked under the wallet's lock. */
    void ReplayMempoolTransaction(const consensus::TransactionRef& tx) EXCLUDES(m_mutex);
    /** tx left the mempool (not by a block): a wallet transaction's trust may have changed. */
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx) EXCLUDES(m_mutex);

private:
    Wallet(const WalletEnv& env, std::string name, std::unique_ptr<WalletDatabase> db);
    struct ScriptRef {
        consensus::Uint256 spkm;
        int32_t index{0};
        /** CachedInputInfo's answer for the script (a known size only). */
        mutable std::optional<InputInfo> input;
    };
    /**
     * Hashes a script's bytes for the script tables, looked up once per coin on every send
     * (absl::Hash is seeded per process; the keys are the wallet's own scripts, which a peer
     * cannot choose).
     */
    struct ScriptHasher {
        size_t operator()(const consensus::Script& s) const noexcept
        {
            // Every byte counts: the scripts of one descriptor may share all but a few (a bare
            // multi() with a fixed key ends alike at every index).
            return absl::Hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(s.data()), s.size()));
        }
    };
    template <typename V>
    using ScriptMap = absl::flat_hash_map<consensus::Script, V, ScriptHasher>;
    /** Hashes an outpoint for m_spends, looked up once per coin on every send (absl::Hash, seeded per process). */
    struct OutPointHasher {
        size_t operator()(const consensus::OutPoint& o) const noexcept
        {
            uint64_t a, b;
            std::memcpy(&a, o.hash.data(), 8);
            std::memcpy(&b, o.hash.data() + 8, 8);
            return absl::Hash<std::tuple<uint64_t, uint64_t, uint32_t>>{}({a, b, o.n});
        }
    };
    /**
     * One walk over the transactions: IsTrustedLocked's answers within it (Core's trusted_parents
     * memo: a parent shared by many unconfirmed transactions is judged once) are kept in the
     * transactions' records (WalletTx::Enter), under this walk's number.
     */
    struct Walk {
        uint64_t id;
    };
    /** A walk numbered as none before it. */
    Walk NewWalk() const REQUIRES(m_mutex) { return Walk{++m_walks}; }

    bool ReadRecords(std::string& error) EXCLUDES(m_mutex);
    // encrypt.cpp
    /** Encrypted and its secrets unusable now (no master key in memory, or the unlock time passed). */
    bool IsLockedLocked() const REQUIRES(m_mutex);
    /** Wipes the secrets and the master key from memory. */
    void LockLocked() REQUIRES(m_mutex);
    /** The timer's callback: locks if the unlock time has passed (a later unlock may have moved it). */
    void RelockIfExpired() EXCLUDES(m_mutex);
    /** Decrypts every encrypted private descriptor under master; false (nothing kept) if one fails. */
    bool LoadCryptedSecrets(const SecureBytes& master, std::string& error) REQUIRES(m_mutex);
    /** createwallet with a passphrase: a master key (in memory, unlocked) and its record in batch. */
    bool SetupEncryption(const SecureString& passphrase, WalletBatch& batch, std::string& error) REQUIRES(m_mutex);
    /** Stores a private descriptor: encrypted under the master key when the wallet is encrypted. */
    bool StorePrivate(const consensus::Uint256& id, const std::string& private_desc, WalletBatch& batch,
                      std::string& error) REQUIRES(m_mutex);
    bool AddDescriptor(const WalletDescriptor& desc, const std::string& private_desc, bool active, WalletBatch& batch,
                       std::string& error) REQUIRES(m_mutex);
    bool TopUp(DescriptorSpkm& spkm, std::string& error) REQUIRES(m_mutex);
    /** A fresh BIP-32 seed and Core's eight active descriptors from it (createwallet, encryptwallet). */
    bool SetupDescriptors(WalletBatch& batch, std::string& error) REQUIRES(m_mutex);
    /**
     * Writes batch; on failure reports a fatal error (the node stops) and returns false. Every
     * change of the wallet's transactions or sync point is written through here, so a non-empty
     * batch also drops the cached balances. The records of descriptors whose writes were
     * deferred (GetNewScript's defer_write) go into the same batch.
     */
    bool Commit(const WalletBatch& batch, std::string& error) REQUIRES(m_mutex);
    void Fatal(const std::string& error) const;

    /** Adds or updates tx if it involves the wallet (Core's AddToWalletIfInvolvingMe); batch gets the records. */
    bool SyncTransaction(const consensus::TransactionRef& tx, const TxState& state, int64_t block_time,
                         WalletBatch& batch) REQUIRES(m_mutex);
    void StoreTx(const WalletTx& wtx, WalletBatch& batch) REQUIRES(m_mutex);
    /** Marks the scripts tx pays as used, so the lookahead moves on (Core's MarkUnusedAddresses). */
    void MarkUsed(const consensus::Transaction& tx, WalletBatch& batch) REQUIRES(m_mutex);
    /**
     * Core's RecursiveUpdateTxState: update each wallet transaction spending one of tx's inputs
     * (not tx itself), then the wallet descendants of each one update changed (returned true).
     */
    void UpdateConflicting(const consensus::Transaction& tx, const std::function<bool(WalletTx&)>& update)
        REQUIRES(m_mutex);
    /** Marks the wallet transactions spending tx's inputs (and their descendants) as conflicted by ref. */
    void MarkConflicts(const consensus::Transaction& tx, const common::interfaces::BlockRef& ref, WalletBatch& batch)
        REQUIRES(m_mutex);
    void SetLastBlock(const SyncPoint& point, WalletBatch& batch) REQUIRES(m_mutex);
    /**
     * tx entered (conflicting) or left the mempool: the wallet transactions spending its inputs,
     * other than tx, and their wallet descendants gain or lose it as a mempool conflict (Core's
     * RecursiveUpdateTxState from its mempool and block handlers).
     */
    void UpdateMempoolConflicts(const consensus::Transaction& tx, bool conflicting) REQUIRES(m_mutex);
    void AddedToMempoolLocked(const consensus::TransactionRef& tx) REQUIRES(m_mutex);
    /** avoid_reuse: records the wallet's addresses tx spends from as used (Core's SetSpentKeyState). */
    void MarkSpentFrom(const consensus::Transaction& tx, WalletBatch& batch) REQUIRES(m_mutex);
    /** Records the outpoints tx spends in m_spends (none for a coinbase). */
    void AddSpends(const consensus::Transaction& tx) REQUIRES(m_mutex);
    /** wtx just entered m_txs (with its spends recorded): its outputs go to m_coins or m_foreign_outputs. */
    void IndexNewTx(const WalletTx& wtx) REQUIRES(m_mutex);
    /**
     * wtx entered m_txs or changed state (confirmed, conflicted, abandoned, a mempool conflict
     * gained or lost): its outputs and the outputs it spends are judged again for m_coins.
     */
    void RefreshCoins(const WalletTx& wtx) REQUIRES(m_mutex);
    /** outpoint judged again for m_coins: in when a wallet transaction's output pays us and is not spent. */
    void RefreshCoin(const consensus::OutPoint& outpoint) REQUIRES(m_mutex);
    void ProcessBlock(const consensus::Block& block, const common::interfaces::BlockRef& ref, WalletBatch& batch)
        REQUIRES(m_mutex);

    // receive.cpp
    Balances ComputeBalances(int min_depth) const REQUIRES(m_mutex);
    int DepthLocked(const WalletTx& wtx) const REQUIRES(m_mutex);
    bool IsTrustedLocked(const WalletTx& wtx, Walk walk) const REQUIRES(m_mutex);
    bool IsSpentLocked(const consensus::OutPoint& outpoint) const REQUIRES(m_mutex);
    bool IsMineLocked(const consensus::Script& script) const REQUIRES(m_mutex);
    consensus::Amount CreditLocked(const consensus::Transaction& tx) const REQUIRES(m_mutex);
    consensus::Amount DebitLocked(const consensus::Transaction& tx) const REQUIRES(m_mutex);
    bool IsImmatureCoinbase(const WalletTx& wtx) const REQUIRES(m_mutex);
    bool InMempool(const WalletTx& wtx) const REQUIRES(m_mutex);

    WalletEnv m_env;
    const std::string m_name;
    const std::unique_ptr<WalletDatabase> m_db;

    /** Taken before m_mutex, never while holding it. */
    mutable util::Mutex m_send_mutex;
    mutable util::Mutex m_mutex;
    uint64_t m_flags GUARDED_BY(m_mutex){0};
    /** The wallet's addresses spent from while avoid_reuse was set (scripts with an address). */
    absl::flat_hash_set<consensus::Script, ScriptHasher> m_used GUARDED_BY(m_mutex);
    std::map<consensus::Uint256, DescriptorSpkm> m_spkms GUARDED_BY(m_mutex);
    /** The private form of each descriptor that has one (its secrets), by descriptor id; empty while locked. */
    std::map<consensus::Uint256, common::Descriptor> m_private GUARDED_BY(m_mutex);
    /**
     * The public keys of the private form's roots (gethdkeys' master xpub while locked), by
     * descriptor id; written with the secrets, public, so kept in the clear (Core keeps the
     * master xpub in its descriptor string). Wallets written before it have none.
     */
    std::map<consensus::Uint256, std::vector<consensus::ExtPubKey>> m_roots GUARDED_BY(m_mutex);
    common::FeeRate m_pay_tx_fee GUARDED_BY(m_mutex);
    /** The active descriptor per (type, internal). */
    std::map<std::pair<OutputType, bool>, consensus::Uint256> m_active GUARDED_BY(m_mutex);
    ScriptMap<ScriptRef> m_scripts GUARDED_BY(m_mutex);
    /** Per descriptor id: its scripts below this index are in m_scripts (TopUp adds the rest). */
    std::map<consensus::Uint256, int32_t> m_registered_end GUARDED_BY(m_mutex);
    /** CachedInputInfo's known sizes by descriptor (id) and script form (the solver's type). */
    mutable std::map<std::pair<consensus::Uint256, int>, InputInfo> m_input_by_form GUARDED_BY(m_mutex);
    std::map<consensus::Script, std::string> m_labels GUARDED_BY(m_mutex);
    std::map<consensus::Uint256, WalletTx> m_txs GUARDED_BY(m_mutex);
    /** Every input of a wallet transaction: the outpoint it spends and the spender. */
    std::unordered_multimap<consensus::OutPoint, consensus::Uint256, OutPointHasher> m_spends GUARDED_BY(m_mutex);
    /**
     * The wallet's unspent outputs (Core's m_txos, less the spent ones): every output of a wallet
     * transaction that pays one of its scripts and that no live wallet transaction spends
     * (IsSpentLocked), with its transaction (m_txs never drops one, so the pointers hold).
     * AvailableCoins starts from it instead of walking every transaction and output. Kept by
     * RefreshCoins on every arrival or change of state of a transaction, and by TopUp for the
     * outputs a newly derived script makes ours (m_foreign_outputs).
     */
    struct CoinRef {
        const WalletTx* wtx{nullptr};
        consensus::Amount value; //!< the output's value, read here instead of from the transaction
        /** Its script's input size and type (m_scripts' cached answer), kept here once known so a
         *  send does not look the script up again for each of thousands of coins. */
        mutable std::optional<InputInfo> input;
    };
    absl::flat_hash_map<consensus::OutPoint, CoinRef, OutPointHasher> m_coins GUARDED_BY(m_mutex);
    /** Outputs of wallet transactions that pay no script of ours, by script, until one is derived. */
    ScriptMap<std::vector<consensus::OutPoint>> m_foreign_outputs GUARDED_BY(m_mutex);
    std::set<consensus::OutPoint> m_locked GUARDED_BY(m_mutex);
    std::set<consensus::OutPoint> m_locked_persistent GUARDED_BY(m_mutex);
    SyncPoint m_last_block GUARDED_BY(m_mutex);
    /**
     * GetBalances' answers by min_depth (Core caches per transaction; one total is cheaper
     * still). They depend on the transactions, the sync point and which wallet transactions
     * are in the mempool, so they are dropped on every commit and on every mempool arrival
     * or departure of a wallet transaction. At most MAX_CACHED_BALANCES depths are kept.
     */
    mutable std::map<int, Balances> m_balance_cache GUARDED_BY(m_mutex);
    /** Descriptors (ids) whose record is behind their state in memory: written by the next Commit. */
    std::set<consensus::Uint256> m_unwritten_spkms GUARDED_BY(m_mutex);
    /** The last walk's number (NewWalk). */
    mutable uint64_t m_walks GUARDED_BY(m_mutex){0};
    /** GetProvider's public expansions, by script (only scripts of m_scripts: bounded by them). */
    mutable ScriptMap<common::FlatSigningProvider> m_solving_cache GUARDED_BY(m_mutex);
    /** The encrypted master key (set once the wallet is encrypted). */
    std::optional<MasterKeyRecord> m_master_record GUARDED_BY(m_mutex);
    /** The master key while unlocked; empty while locked (or not encrypted). */
    SecureBytes m_master_key GUARDED_BY(m_mutex);
    /** The encrypted private descriptors ("cdesckeys/" records: IV || ciphertext), by descriptor id. */
    std::map<consensus::Uint256, std::vector<uint8_t>> m_crypted GUARDED_BY(m_mutex);
    /** When an unlock ends (Now() seconds); 0 when locked. */
    int64_t m_relock_time GUARDED_BY(m_mutex){0};

    util::Mutex m_handler_mutex;
    std::unique_ptr<common::interfaces::Handler> m_handler GUARDED_BY(m_handler_mutex);
    /** Locks the wallet when an unlock ends. Last member: destroyed (its thread joined) first. */
    RelockTimer m_relock_timer;
};

} // namespace wallet
