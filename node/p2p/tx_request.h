// Which peer to ask for which transaction, and when (Core's TxRequestTracker, txrequest.h).
// Every inv of a transaction is an announcement (peer, txhash, by wtxid or txid). Per txhash at
// most one announcement is requested at a time; the one chosen among those whose request time
// has come prefers preferred peers (outbound, or with the relay permission), then a random
// order salted per tracker, so an attacker cannot predict or race it. A request that expires
// or is answered with notfound moves the choice to another announcer; once a transaction is
// received or rejected the caller forgets its hash everywhere.
//
// Not thread-safe: the peer manager calls it under its own lock. Time is passed in by the
// caller (no clock inside), so tests drive it by hand.
#pragma once

#include "consensus/uint256.h"
#include "net/connection.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace node::p2p {

/** A transaction hash and whether it is a wtxid (BIP-339) or a txid (Core's GenTxid). */
struct GenTxid {
    bool is_wtxid{false};
    consensus::Uint256 hash;
    bool operator==(const GenTxid&) const = default;
};

/** Core's MAX_PEER_TX_ANNOUNCEMENTS: announcements kept per peer (more are dropped, unless relay permission). */
inline constexpr size_t MAX_PEER_TX_ANNOUNCEMENTS = 5000;
/** Core's MAX_PEER_TX_REQUEST_IN_FLIGHT: past this many requests in flight a peer's new announcements wait longer. */
inline constexpr size_t MAX_PEER_TX_REQUEST_IN_FLIGHT = 100;
/** Core's TXID_RELAY_DELAY: txid announcements wait this long while some peer relays by wtxid. */
inline constexpr std::chrono::microseconds TXID_RELAY_DELAY{std::chrono::seconds{2}};
/** Core's NONPREF_PEER_TX_DELAY: non-preferred (inbound) announcers wait this long. */
inline constexpr std::chrono::microseconds NONPREF_PEER_TX_DELAY{std::chrono::seconds{2}};
/** Core's OVERLOADED_PEER_TX_DELAY: extra wait for a peer with MAX_PEER_TX_REQUEST_IN_FLIGHT requests out. */
inline constexpr std::chrono::microseconds OVERLOADED_PEER_TX_DELAY{std::chrono::seconds{2}};
/** Core's GETDATA_TX_INTERVAL: a transaction request expires after this long. */
inline constexpr std::chrono::microseconds GETDATA_TX_INTERVAL{std::chrono::seconds{60}};

/**
 * The request delay of a new announcement, as Core's AddTxAnnouncement computes it: txid
 * announcements wait TXID_RELAY_DELAY while wtxid-relay peers exist, non-preferred peers
 * NONPREF_PEER_TX_DELAY, and a peer with too many requests in flight OVERLOADED_PEER_TX_DELAY
 * (unless it has the relay permission).
 */
std::chrono::microseconds TxAnnouncementDelay(bool is_wtxid, bool have_wtxid_peers, bool preferred,
                                              bool relay_permission, size_t peer_in_flight);

class TxRequestTracker {
public:
    /** salt: the random order of announcers; pass a fixed one in tests (nullopt: random). */
    explicit TxRequestTracker(std::optional<std::pair<uint64_t, uint64_t>> salt = std::nullopt);

    /**
     * Records that peer announced gtxid, to be requested no sooner than reqtime. Ignored when
     * the peer already announced this hash (by txid or wtxid). Returns false if ignored.
     */
    bool ReceivedInv(net::NodeId peer, const GenTxid& gtxid, bool preferred, std::chrono::microseconds reqtime);
    /** Drops every announcement of peer; its requests go to other announcers. */
    void DisconnectedPeer(net::NodeId peer);
    /** Drops every announcement of this hash (the transaction was received, accepted or rejected). */
    void ForgetTxHash(const consensus::Uint256& txhash);
    /**
     * What to request from peer now, in announcement order. First moves time to now: expired
     * requests become completed (appended to expired, if given, as (peer, gtxid)), delayed
     * announcements whose time came become candidates. The caller calls RequestedTx for each
     * hash it asks for (or ForgetTxHash for one it has meanwhile).
     */
    std::vector<GenTxid> GetRequestable(net::NodeId peer, std::chrono::microseconds now,
                                        std::vector<std::pair<net::NodeId, GenTxid>>* expired = nullptr);
    /**
     * Marks peer's announcement of txhash as requested, expiring at expiry. Normally follows
     * GetRequestable that returned it; any candidate of peer may be requested (a delayed one
     * too, as Core), and then any other request of the same hash in flight counts as
     * completed. Nothing happens when peer has no candidate announcement of txhash.
     */
    void RequestedTx(net::NodeId peer, const consensus::Uint256& txhash, std::chrono::microseconds expiry);
    /** peer answered for txhash (tx or notfound): its announcement is completed. */
    void ReceivedResponse(net::NodeId peer, const consensus::Uint256& txhash);

    /** Requests of peer in flight. */
    size_t CountInFlight(net::NodeId peer) const;
    /** Announcements of peer not yet requested nor completed. */
    size_t CountCandidates(net::NodeId peer) const;
    /** All announcements of peer, in any state. */
    size_t Count(net::NodeId peer) const;
    /** All announcements. */
    size_t Size() const { return m_size; }

private:
    enum class State { DELAYED, READY, BEST, REQUESTED, COMPLETED };
    struct Announcement {
        net::NodeId peer;
        bool is_wtxid;
        bool preferred;
        State state;
        std::chrono::microseconds time; // reqtime while a candidate, expiry while requested
        uint64_t sequence;
        uint64_t priority;
    };
    struct PeerInfo {
        size_t total{0}, requested{0}, candidates{0};
        std::set<consensus::Uint256> hashes;
    };
    using TimedKey = std::tuple<std::chrono::microseconds, uint64_t, consensus::Uint256>;

    uint64_t Priority(const consensus::Uint256& txhash, net::NodeId peer, bool preferred) const;
    void SetTimePoint(std::chrono::microseconds now, std::vector<std::pair<net::NodeId, GenTxid>>* expired);
    /** Moves a's state, keeping the timed index and the peer counters in step. */
    void SetState(const consensus::Uint256& txhash, Announcement& a, State s);
    /** Recomputes which announcement of txhash is the one to request, and drops it all if completed. */
    void Reselect(const consensus::Uint256& txhash);
    void Erase(const consensus::Uint256& txhash, std::vector<Announcement>& anns, size_t i);

    uint64_t m_k0, m_k1;
    uint64_t m_sequence{0};
    size_t m_size{0};
    std::chrono::microseconds m_last_now{std::chrono::microseconds::min()};
    std::unordered_map<consensus::Uint256, std::vector<Announcement>> m_by_hash;
    std::map<net::NodeId, PeerInfo> m_peers;
    std::set<TimedKey> m_timed; // (time, sequence, hash) of DELAYED and REQUESTED announcements
};

} // namespace node::p2p
