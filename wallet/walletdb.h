// The records of a wallet database (Core's walletdb.cpp keys, in our own compact format):
// what each key prefix holds and how values are encoded. Pure functions; a value that does
// not decode throws consensus::DecodeError (the wallet then refuses to load: "corrupt").
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"
#include "wallet/crypter.h"
#include "wallet/spkm.h"

#include <absl/container/inlined_vector.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wallet {

/** Where a wallet transaction stands (Core's TxState). */
struct TxState {
    enum class Kind : uint8_t {
        INACTIVE,         //!< neither in a block of the active chain nor (as far as the wallet knows) refused
        CONFIRMED,        //!< in block_hash at block_height, position index
        BLOCK_CONFLICTED, //!< spends an output that block_hash's transaction spends
    };
    Kind kind{Kind::INACTIVE};
    consensus::Uint256 block_hash;
    int32_t block_height{-1};
    int32_t index{0};
    bool abandoned{false};
    bool operator==(const TxState&) const = default;
    /** Unconfirmed, abandoned or not. */
    static TxState Inactive(bool abandoned)
    {
        TxState s;
        s.abandoned = abandoned;
        return s;
    }
};

/**
 * A transaction the wallet keeps (Core's CWalletTx). The fields a walk over the coins reads
 * (AvailableCoins, balances) come first, so that a record costs one or two cache lines there.
 */
struct WalletTx {
    consensus::TransactionRef tx;
    TxState state;
    /**
     * Not stored: in the node's mempool, as the last mempool notification said (or the check
     * after the wallet's own broadcast). Core's TxStateInMempool; counts only while INACTIVE.
     */
    bool in_mempool{false};
    /**
     * Not stored, a cache of the wallet's (under its lock): every input spends an output of ours
     * and they are worth more than 0 (Core's CachedTxIsFromMe, for CachedTxIsTrusted). Once true
     * it stays true: the wallet never forgets a transaction or a script.
     */
    mutable bool inputs_ours{false};
    /**
     * Not stored, more caches of the wallet's (under its lock), so that a walk over 10,000 coins
     * reads each transaction's record and not the transaction behind it:
     * - coinbase: 1 for a coinbase, 0 otherwise, -1 until read;
     * - walk, trust, slot: what the walk numbered `walk` (Wallet::NewWalk) found: IsTrustedLocked's
     *   answer (Core's trusted_parents memo) and AvailableCoins' index of its verdict. A copy
     *   carries them harmlessly: walk numbers only grow;
     * - parents: the wallet transactions its inputs spend, kept once inputs_ours is known (the
     *   wallet never forgets a transaction, and the entries of its map never move); inline for
     *   up to two, so that judging a send's change reads no other allocation.
     */
    mutable int8_t coinbase{-1};
    enum class Trust : uint8_t { UNKNOWN, JUDGING, NO, YES };
    mutable Trust trust{Trust::UNKNOWN};
    mutable uint32_t slot{0};
    mutable uint64_t walk{0};
    mutable absl::InlinedVector<const WalletTx*, 2> parents;
    int64_t time_received{0}; //!< when the wallet first saw it
    int64_t block_time{0};    //!< the block's time while confirmed
    int64_t time_smart{0};    //!< Core's nTimeSmart: the block's time if first seen in a block, else time_received
    /** Core's mapValue: "comment", "to", "replaces_txid", "replaced_by_txid". */
    std::map<std::string, std::string> meta;
    /**
     * Not stored: mempool transactions (not the wallet's view of this one) spending an input of
     * this transaction or of an ancestor of it in the wallet (Core's mempool_conflicts). While
     * any is in the pool, this transaction does not count as spending its inputs.
     */
    std::set<consensus::Uint256> mempool_conflicts;

    bool IsCoinBase() const
    {
        if (coinbase < 0) coinbase = tx->IsCoinBase() ? 1 : 0;
        return coinbase == 1;
    }
    /** Enters walk `id`: what an earlier walk found is forgotten. */
    void Enter(uint64_t id) const
    {
        if (walk == id) return;
        walk = id;
        trust = Trust::UNKNOWN;
        slot = UINT32_MAX;
    }
};

/** The wallet's flags (Core's WalletFlags, the bits we use). */
enum WalletFlag : uint64_t {
    WALLET_FLAG_AVOID_REUSE = 1ull << 0,
    WALLET_FLAG_BLANK_WALLET = 1ull << 33,
    WALLET_FLAG_DESCRIPTORS = 1ull << 34,
    WALLET_FLAG_DISABLE_PRIVATE_KEYS = 1ull << 32,
};

// Record keys: a prefix, then the record's own key bytes.
namespace dbkeys {
inline constexpr std::string_view FLAGS = "flags";
inline constexpr std::string_view VERSION = "version";
inline constexpr std::string_view BEST_BLOCK = "bestblock";      //!< hash and height of the last block synced
inline constexpr std::string_view DESCRIPTOR = "desc/";          //!< + id: WalletDescriptor
inline constexpr std::string_view DESCRIPTOR_KEYS = "desckeys/"; //!< + id: the private descriptor (secrets)
inline constexpr std::string_view ACTIVE = "active/";            //!< + type + internal: descriptor id
inline constexpr std::string_view TX = "tx/";                    //!< + txid: WalletTx
inline constexpr std::string_view LABEL = "label/";              //!< + scriptPubKey: label
inline constexpr std::string_view LOCKED = "lock/";              //!< + outpoint: a persistent lockunspent
inline constexpr std::string_view USED =
    "used/"; //!< + scriptPubKey: an address spent from (avoid_reuse; Core's "used")
inline constexpr std::string_view MASTER_KEY = "mkey/"; //!< + LE32 id (1): MasterKeyRecord (encryption)
inline constexpr std::string_view CRYPTED_DESCRIPTOR_KEYS = "cdesckeys/"; //!< + id: IV || AES of the private descriptor
/** + id: the extended public keys the private descriptor starts from (its master key), comma-separated xpubs. */
inline constexpr std::string_view HD_ROOTS = "hdroots/";
} // namespace dbkeys

std::string KeyWithId(std::string_view prefix, const consensus::Uint256& id);
std::string ActiveKey(OutputType type, bool internal);
/** The one master key record's key: "mkey/" + LE32 1 (Core numbers its master keys from 1). */
std::string MasterKeyKey();

std::string EncodeDescriptor(const WalletDescriptor& d);
WalletDescriptor DecodeDescriptor(std::string_view value);

std::string EncodeWalletTx(const WalletTx& wtx);
WalletTx DecodeWalletTx(std::string_view value);

std::string EncodeBestBlock(const consensus::Uint256& hash, int32_t height);
std::pair<consensus::Uint256, int32_t> DecodeBestBlock(std::string_view value);

/** The master key record: crypted key, salt, method, iterations, check bytes (sizes checked on decode). */
std::string EncodeMasterKey(const MasterKeyRecord& m);
MasterKeyRecord DecodeMasterKey(std::string_view value);

std::string EncodeU64(uint64_t v);
uint64_t DecodeU64(std::string_view value);

} // namespace wallet
