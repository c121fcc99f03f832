// The node's message handler (Core's PeerManager / net_processing): the version handshake,
// pings, headers-first sync from every peer, block download through BlockDownload, serving
// headers and blocks from the chainstate's readers, and block announcements. Network threads
// never wait on validation: headers and blocks go to the validation owner with a callback.
#pragma once

#include "net/connman.h"
#include "net/handler.h"
#include "net/messages.h"
#include "node/chain/chainstate.h"
#include "node/p2p/addr_relay.h"
#include "node/p2p/block_download.h"
#include "node/p2p/compact_relay.h"
#include "node/p2p/orphanage.h"
#include "node/p2p/tx_pool.h"
#include "node/p2p/tx_relay.h"
#include "util/sync.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace node::chain {
class ValidationOwner;
}

namespace node::p2p {

/** Core's PROTOCOL_VERSION and MIN_PEER_PROTO_VERSION. */
inline constexpr int32_t PROTOCOL_VERSION = 70016, MIN_PEER_PROTO_VERSION = 31800;
/** Core's PING_INTERVAL (2 minutes) and TIMEOUT_INTERVAL for a ping (20 minutes). */
inline constexpr std::chrono::seconds PING_INTERVAL{2 * 60}, PING_TIMEOUT{20 * 60};
/** Getheaders sent again for one announced block we could not place (AskAgainForUnplaced). */
inline constexpr int MAX_UNPLACED_RETRIES = 3;
/** Core's HEADERS_RESPONSE_TIME: one getheaders in flight per peer, unless it answers sooner. */
inline constexpr std::chrono::seconds HEADERS_RESPONSE_TIME{2 * 60};
/** Core's MAX_BLOCKS_TO_ANNOUNCE: more new blocks than this are announced with an inv of the tip. */
inline constexpr size_t MAX_BLOCKS_TO_ANNOUNCE = 8;
/** Core's MAX_NUM_UNCONNECTING_HEADERS_MSGS: non-connecting headers messages tolerated. */
inline constexpr int MAX_UNCONNECTING_HEADERS = 10;
/**
 * Headers and block messages of one peer waiting on the validation owner before we stop
 * reading from it (Core processes one message per peer at a time, synchronously): bounds
 * what a peer that resends blocks can make us hold.
 */
inline constexpr int MAX_PENDING_JOBS = 4;

/** What getpeerinfo shows of a peer's protocol state. */
struct PeerStats {
    net::NodeId id{0};
    int32_t version{0};
    uint64_t services{0};
    std::string user_agent;
    int32_t start_height{0};
    bool relay{false};
    bool handshake_done{false};
    int synced_headers{-1}, synced_blocks{-1};
    std::optional<double> ping_seconds, min_ping_seconds, ping_wait_seconds;
    std::vector<int> inflight;
    bool prefers_headers{false};
    AddrRelayStats addr;                             // addr_relay_enabled, addr_processed, addr_rate_limited
    bool bip152_hb_to{false}, bip152_hb_from{false}; // high-bandwidth compact blocks: we chose it / it chose us
    consensus::Amount min_fee_filter;                // its feefilter (BIP-133), sat/kvB
    int64_t last_transaction{0};                     // when it last gave us a new pool transaction
};

/** Transaction relay's clock: the wall clock (pool entry times are wall-clock seconds). */
inline std::chrono::microseconds TxNow()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
}

class PeerManager final : public net::NetHandler, private chain::ChainListener {
public:
    /** chainstate, owner and connman must outlive Stop(). Starts the timer thread. */
    PeerManager(chain::Chainstate& chainstate, chain::ValidationOwner& owner, net::ConnectionManager& connman);
    ~PeerManager() override;
    PeerManager(const PeerManager&) = delete;
    PeerManager& operator=(const PeerManager&) = delete;
    /** Stops the timer thread and the chain notifications. Before connman's Stop is fine; idempotent. */
    void Stop();

    void InitializePeer(const net::PeerAddress& peer) override;
    void ProcessMessage(net::NodeId peer, const std::string& command, std::vector<uint8_t>&& payload) override;
    void FinalizePeer(net::NodeId peer, const std::string& reason) override;
    void SendRoom(net::NodeId peer) override;

    std::optional<PeerStats> GetPeerStats(net::NodeId id) const EXCLUDES(m_mutex);
    /** Sends a ping to every peer now (the ping RPC). */
    void PingAll() EXCLUDES(m_mutex);
    /** Address relay (addr, addrv2, getaddr); set before the connman starts, outlives Stop(). */
    void SetAddrRelay(AddrRelay* relay) { m_addr_relay = relay; }
    /**
     * Transaction relay over pool (peer_manager_tx.cpp): set before the connman starts; pool
     * outlives Stop(). Without it the node asks peers not to announce transactions.
     */
    void SetTxPool(TxPool* pool) EXCLUDES(m_mutex);
    /** Announces tx to every peer that takes transactions (Core's RelayTransaction): RPC and accepted txs. */
    void RelayTransaction(const consensus::TransactionRef& tx) EXCLUDES(m_mutex);
    /**
     * Core's ReattemptInitialBroadcast: announces again our own transactions that no peer
     * asked for yet (the pool's unbroadcast set). The node's scheduler runs it every
     * UnbroadcastRetryDelay().
     */
    void ReattemptInitialBroadcast() EXCLUDES(m_mutex);
    /** 10 to 15 minutes, at random (Core's schedule for ReattemptInitialBroadcast). */
    std::chrono::milliseconds UnbroadcastRetryDelay() EXCLUDES(m_mutex);

private:
    struct Peer {
        net::PeerAddress addr;
        bool got_version{false}, sent_version{false}, handshake_done{false};
        net::VersionMessage version;
        bool wtxid_relay{false}, addrv2{false}, prefers_headers{false};
        uint64_t ping_nonce{0};
        std::optional<std::chrono::steady_clock::time_point> ping_start, last_ping;
        std::optional<std::chrono::microseconds> last_ping_time, min_ping_time;
        int unconnecting_headers{0};
        const chain::BlockIndex* best_header_sent{nullptr};   // the last header we sent or announced
        const chain::BlockIndex* fast_announced{nullptr};     // sent as cmpctblock before it was connected
        const chain::BlockIndex* announce_on_verack{nullptr}; // a tip that came while it was handshaking
        uint64_t version_nonce{0};                            // the nonce of our version (self-connection check)
        int pending_jobs{0};                                  // its headers/blocks queued on the validation owner
        std::deque<net::Inv> getdata_queue;                   // blocks it asked for, served as its send buffer drains
        std::optional<std::chrono::steady_clock::time_point> last_getheaders; // unanswered getheaders sent then
        // The last block it announced (inv, or cmpctblock) that we could not place (the block or
        // its parent unknown), and how often we asked again for it (AskAgainForUnplaced).
        std::optional<consensus::Uint256> unplaced_block;
        int unplaced_retries{0};
    };

    // Message handlers (on the peer's strand).
    void OnVersion(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnVerack(net::NodeId id) EXCLUDES(m_mutex);
    void OnHeaders(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnBlock(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnGetHeaders(net::NodeId id, consensus::ByteReader& r, bool getblocks) EXCLUDES(m_mutex);
    void OnGetData(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnInv(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);

    /** A headers message's (or a cmpctblock's header's) outcome on the validation owner. */
    struct HeadersOutcome {
        bool connects{false}; // the first one's parent is known
        consensus::ValidationResult result;
        const chain::BlockIndex* last{nullptr};
    };
    /** On the owner, in queue order: the headers accepted if the first one's parent is known. */
    HeadersOutcome AcceptIfConnects(const std::vector<consensus::BlockHeader>& headers);

    template <typename M>
    void Send(net::NodeId id, std::string_view command, const M& msg);
    /**
     * Core's MaybeSendGetHeaders: nothing if one sent within HEADERS_RESPONSE_TIME is unanswered.
     * Returns whether it was sent.
     */
    bool SendGetHeaders(net::NodeId id, const chain::BlockIndex* from) EXCLUDES(m_mutex);
    /** A block the peer announced that we cannot place yet (peer_manager_compact.cpp). */
    void NoteUnplacedBlock(net::NodeId id, const consensus::Uint256& hash) EXCLUDES(m_mutex);
    /**
     * After one of the peer's headers messages is processed: its unplaced announcement, if still
     * unknown, is asked for again (at most MAX_UNPLACED_RETRIES times). The getheaders its
     * announcement triggered may have been held back by an unanswered one whose answer was built
     * before the block (a safety net for other peers: ours queue getheaders answers and
     * announcements under one lock, in the order the chain moved).
     */
    void AskAgainForUnplaced(net::NodeId id) EXCLUDES(m_mutex);
    void SendVersion(net::NodeId id, const net::PeerAddress& addr) EXCLUDES(m_mutex);
    /** Whether peer is an inbound connection (false for an unknown one). */
    bool IsInbound(net::NodeId id) const EXCLUDES(m_mutex);
    /** Core's fDisconnect without punishment: logged (net) and the connection closed. */
    void DisconnectPeer(net::NodeId id, const std::string& why);
    /** Core's Misbehaving: logged, the peer disconnected (and its address discouraged). */
    void Misbehaving(net::NodeId id, const std::string& why) EXCLUDES(m_mutex);
    /**
     * Punishes the sender of a header or block the owner found invalid, by Core's rules
     * (via_compact: a block from a cmpctblock, whose contents are not the peer's fault).
     */
    void MaybePunish(net::NodeId id, const consensus::ValidationResult& r, const std::string& what,
                     bool via_compact = false) EXCLUDES(m_mutex);
    /** Requests the next blocks from peer (up to 16 in flight). */
    void RequestBlocks(net::NodeId id) EXCLUDES(m_mutex);
    void RequestBlocksFromAll() EXCLUDES(m_mutex);
    /** Serves the peer's queued getdata while its send buffer has room (Core's ProcessGetData). */
    void ServeGetData(net::NodeId id) EXCLUDES(m_mutex);
    /** A headers/block job for peer goes to the owner: past MAX_PENDING_JOBS, its reading pauses. */
    void JobQueued(net::NodeId id) EXCLUDES(m_mutex);
    void JobDone(net::NodeId id) EXCLUDES(m_mutex);
    void UpdatedBlockTip(const chain::BlockIndex* new_tip, const chain::BlockIndex* fork,
                         bool initial_download) override EXCLUDES(m_mutex);
    void TimerLoop();

    // Transaction relay (peer_manager_tx.cpp).
    void OnTx(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnNotFound(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnFeeFilter(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnMempool(net::NodeId id) EXCLUDES(m_mutex);
    /** Tx entries of an inv: tracked for a request (or the peer dropped). */
    void OnTxInvs(net::NodeId id, const std::vector<net::Inv>& items) EXCLUDES(m_mutex);
    /** Hands tx from peer to the pool; the verdict comes back on the owner's thread. */
    void SubmitTx(net::NodeId id, const consensus::TransactionRef& tx) EXCLUDES(m_mutex);
    /** from_package: the verdict of a package member (no new package is tried from it). */
    void OnTxVerdict(net::NodeId id, const consensus::TransactionRef& tx, const TxSubmitResult& result,
                     bool from_package = false) EXCLUDES(m_mutex);
    /**
     * Core's Find1P1CPackage: parent was refused for its fee only; if an orphan from the same peer
     * spends it, the pair goes to package acceptance (opportunistic 1p1c relay, Core 28).
     */
    void TryPackage(net::NodeId id, const consensus::TransactionRef& parent) EXCLUDES(m_mutex);
    /** A tx getdata entry: the transaction, or nullptr for notfound. */
    consensus::TransactionRef TxForGetData(net::NodeId id, const net::Inv& inv) EXCLUDES(m_mutex);
    /** Per tick: due getdata requests, trickled announcements, feefilter updates. */
    void TxTick() EXCLUDES(m_mutex);

    // BIP-152 (peer_manager_compact.cpp).
    /** Our sendcmpct after verack (Core: to peers of version 70014 and later). */
    void SendCompactNegotiation(net::NodeId id, int32_t peer_version);
    void OnSendCmpct(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnCmpctBlock(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnBlockTxn(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    void OnGetBlockTxn(net::NodeId id, consensus::ByteReader& r) EXCLUDES(m_mutex);
    /** After a cmpctblock's header was accepted (owner thread): reconstruct, ask for what is missing. */
    void OnCompactHeaderAccepted(net::NodeId id, const net::HeaderAndShortIDs& cmpct, const chain::BlockIndex* index)
        EXCLUDES(m_mutex);
    /** A reconstruction failed: the full block from the same peer (Core's READ_STATUS_FAILED). */
    void RequestFullBlock(net::NodeId id, const chain::BlockIndex* index) EXCLUDES(m_mutex);
    /** A reconstructed block to the owner; punished as a compact block. */
    void ProcessCompactBlock(net::NodeId id, std::shared_ptr<const consensus::Block> block) EXCLUDES(m_mutex);
    /** The peer gave us the new tip hash: perhaps it becomes a high-bandwidth peer (Core). */
    void MaybeSetHighBandwidth(net::NodeId id, const consensus::Uint256& hash) EXCLUDES(m_mutex);
    /** getdata MSG_CMPCT_BLOCK: a cmpctblock if b is within MAX_CMPCTBLOCK_DEPTH; false: serve the full block. */
    bool ServeCompactBlock(net::NodeId id, const chain::BlockIndex* b) EXCLUDES(m_mutex);
    /** The cmpctblock of b for high-bandwidth announcements (cached); nullptr without such peers or if unreadable. */
    std::shared_ptr<const net::HeaderAndShortIDs> CompactOf(const chain::BlockIndex* b) EXCLUDES(m_mutex);
    /**
     * Core's NewPoWValidBlock (the chainstate's hook, on the validation owner with its lock
     * held): a new block extending our tip, checked and stored but not connected yet, goes at
     * once as cmpctblock to the high-bandwidth peers that lack it (BIP-152 allows it; a peer
     * does not punish a compact block's contents), so each hop overlaps the next one's
     * validation. UpdatedBlockTip then skips those peers.
     */
    void NewPoWValidBlock(const std::shared_ptr<const consensus::Block>& block, const chain::BlockIndex* index)
        EXCLUDES(m_mutex);
    void BlockConnected(const std::shared_ptr<const consensus::Block>& block, const chain::BlockIndex* index) override
        EXCLUDES(m_mutex);
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>& block,
                           const chain::BlockIndex* index) override EXCLUDES(m_mutex);
    /** Relay learns of pool changes from MempoolManager's callers, not from chain events. */
    bool WantsMempoolEvents() const override { return false; }
    static uint64_t RandomNonce();
    void Tick() EXCLUDES(m_mutex);

    chain::Chainstate& m_chain;
    chain::ValidationOwner& m_owner;
    net::ConnectionManager& m_connman;
    std::atomic<AddrRelay*> m_addr_relay{nullptr}; // set once, before the connman starts
    const uint64_t m_local_nonce_seed;

    mutable util::Mutex m_mutex;
    std::map<net::NodeId, Peer> m_peers GUARDED_BY(m_mutex);

    BlockDownload m_download GUARDED_BY(m_mutex);
    CompactRelay m_compact GUARDED_BY(m_mutex);
    int m_highest_fast_announce GUARDED_BY(m_mutex){0}; // Core's m_highest_fast_announce
    bool m_stopping GUARDED_BY(m_mutex){false};
    std::unique_ptr<TxRelay> m_txrelay GUARDED_BY(m_mutex); // set once by SetTxPool, before peers come
    std::atomic<TxPool*> m_txpool{nullptr};
    TxOrphanage m_orphans GUARDED_BY(m_mutex);
    std::mt19937_64 m_rng GUARDED_BY(m_mutex){std::random_device{}()};
    std::condition_variable m_cv;
    std::thread m_timer;
};

} // namespace node::p2p
