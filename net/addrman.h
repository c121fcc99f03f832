// The address manager (Core's AddrMan): the addresses peers told us about, in a "new" table
// (heard of) and a "tried" table (connected to once), both bucketed by SipHash keyed with a
// random secret so that a peer cannot predict, nor with addresses of one source group fill,
// more than a few buckets. Persisted in a peers.dat-like file. Thread-safe (one mutex).
#pragma once

#include "net/frame.h"
#include "net/messages.h"
#include "net/net_address.h"
#include "util/sync.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace net {

/** Core's table geometry: 1024 new buckets, 256 tried buckets, 64 entries a bucket. */
inline constexpr int ADDRMAN_NEW_BUCKET_COUNT = 1024, ADDRMAN_TRIED_BUCKET_COUNT = 256, ADDRMAN_BUCKET_SIZE = 64;
/** Core's spread: a source group reaches at most 64 new buckets, an address group 8 tried buckets. */
inline constexpr int ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP = 64, ADDRMAN_TRIED_BUCKETS_PER_GROUP = 8;
/** Core's ADDRMAN_NEW_BUCKETS_PER_ADDRESS: an address is in at most 8 new buckets. */
inline constexpr int ADDRMAN_NEW_BUCKETS_PER_ADDRESS = 8;
/** Core's getaddr answer: at most 23% of the known addresses, at most 1000. */
inline constexpr size_t ADDRMAN_GETADDR_MAX_PCT = 23, ADDRMAN_GETADDR_MAX = 1000;

struct AddrManOptions {
    /**
     * Accept addresses that are not routable (loopback, private ranges). Core never does;
     * regtest does here, so that tests (127.0.0.x only) can exercise learning and
     * connecting. Everywhere else false, as Core.
     */
    bool allow_unroutable{false};
    /** SipHash key of the bucket positions; unset: random (tests fix it). */
    std::optional<std::array<uint64_t, 2>> key;
    /** Seed of the random choices (Add's stochastic refusal, Select); unset: random. */
    std::optional<uint64_t> seed;
    /** UNIX seconds; unset: the system clock. For tests. */
    std::function<int64_t()> clock;
};

/** What a load of the peers file found. */
enum class AddrManLoad { OK, MISSING, CORRUPT };

/** One address as getnodeaddresses and the connection loop see it. */
struct AddrManEntry {
    AddressEntry addr;
    int64_t last_try{0};
    int attempts{0};
    bool tried{false};
};

class AddrMan {
public:
    explicit AddrMan(AddrManOptions options = {});

    /**
     * Adds addresses a peer (source) told us about, as Core: unroutable ones refused (unless
     * allow_unroutable), the time pushed back by time_penalty (not for self-announcements),
     * a known address's time and services refreshed, and each further new-bucket reference
     * twice as unlikely. True if at least one address was new to us.
     */
    bool Add(const std::vector<AddressEntry>& addrs, const NetAddress& source, int64_t time_penalty = 0)
        EXCLUDES(m_mutex);
    /**
     * We completed a handshake with addr: it moves to the tried table. A tried slot already
     * taken sends its old entry back to the new table (Core tests the old one first with a
     * feeler; not done here). False if addr is unknown.
     */
    bool Good(const Service& addr) EXCLUDES(m_mutex);
    /** We tried to connect to addr; count_failure counts it against it (Core's Attempt). */
    void Attempt(const Service& addr, bool count_failure) EXCLUDES(m_mutex);
    /** A connection to addr is (still) up: its time is refreshed every 20 minutes (Core's Connected). */
    void Connected(const Service& addr) EXCLUDES(m_mutex);
    /**
     * An address to connect to, new or tried table 50/50 (new_only: new only), recently tried
     * and often failed ones less likely (Core's Select). nullopt when empty.
     */
    std::optional<AddrManEntry> Select(bool new_only = false) EXCLUDES(m_mutex);
    /**
     * Up to max_pct% of the known addresses and at most max_count (0: no count limit), in
     * random order, without terrible ones (Core's GetAddr); of one network if given.
     */
    std::vector<AddressEntry> GetAddr(size_t max_count, size_t max_pct, std::optional<Network> network = {}) const
        EXCLUDES(m_mutex);
    /** Every known address with its connection history (getnodeaddresses, tests). */
    std::vector<AddrManEntry> All() const EXCLUDES(m_mutex);
    /** Known addresses, of one network, of one table (true: new, false: tried) if given. */
    size_t Size(std::optional<Network> network = {}, std::optional<bool> in_new = {}) const EXCLUDES(m_mutex);

    /** The new bucket an address heard from source goes to (Core's GetNewBucket); for tests. */
    int NewBucket(const Service& addr, const NetAddress& source) const EXCLUDES(m_mutex);
    /** The tried bucket of addr (Core's GetTriedBucket); for tests. */
    int TriedBucket(const Service& addr) const EXCLUDES(m_mutex);
    /** The buckets addr is in (new table, or its tried bucket as a one-element list); for tests. */
    std::vector<int> BucketsOf(const Service& addr) const EXCLUDES(m_mutex);
    /** The SipHash key of the bucket positions (kept in the peers file). */
    std::array<uint64_t, 2> Key() const EXCLUDES(m_mutex);

    /**
     * The peers file (format in net/README.md): magic, version, network magic, key, entries,
     * and a double-SHA256 checksum of everything before it.
     */
    std::vector<uint8_t> Serialize(const MessageStart& magic) const EXCLUDES(m_mutex);
    /** Replaces the contents with a serialized table; false (contents untouched) if corrupt or of another network. */
    bool Deserialize(std::span<const uint8_t> data, const MessageStart& magic, std::string& error) EXCLUDES(m_mutex);
    /** Writes the file atomically (temporary file, fsync, rename). False with error on failure. */
    bool SaveFile(const std::filesystem::path& path, const MessageStart& magic, std::string& error) const;
    /** Loads the file; MISSING when there is none, CORRUPT (error set, contents empty) when it does not check. */
    AddrManLoad LoadFile(const std::filesystem::path& path, const MessageStart& magic, std::string& error);

private:
    struct Info {
        AddressEntry addr;
        NetAddress source;
        int64_t last_try{0}, last_success{0}, last_count_attempt{0};
        int attempts{0};
        int ref_count{0}; // new buckets holding it
        bool in_tried{false};
        size_t random_pos{0};
    };

    int64_t Now() const;
    uint64_t Hash(std::span<const uint8_t> data) const REQUIRES(m_mutex);
    int Position(bool is_new, int bucket, const Service& addr) const REQUIRES(m_mutex);
    int NewBucketLocked(const Service& addr, const NetAddress& source) const REQUIRES(m_mutex);
    int TriedBucketLocked(const Service& addr) const REQUIRES(m_mutex);
    bool IsTerrible(const Info& info, int64_t now) const;
    double Chance(const Info& info, int64_t now) const;
    int Find(const Service& addr) const REQUIRES(m_mutex);
    void Place(int id) REQUIRES(m_mutex);
    int Create(const AddressEntry& addr, const NetAddress& source) REQUIRES(m_mutex);
    void Delete(int id) REQUIRES(m_mutex);
    void ClearNew(int bucket, int pos) REQUIRES(m_mutex);
    bool AddSingle(const AddressEntry& addr, const NetAddress& source, int64_t penalty, int64_t now) REQUIRES(m_mutex);
    void MakeTried(int id) REQUIRES(m_mutex);
    uint64_t Rand(uint64_t n) const REQUIRES(m_mutex);
    void Clear() REQUIRES(m_mutex);

    const AddrManOptions m_options;
    mutable util::Mutex m_mutex;
    std::array<uint64_t, 2> m_key GUARDED_BY(m_mutex);
    mutable std::mt19937_64 m_rng GUARDED_BY(m_mutex);
    int m_next_id GUARDED_BY(m_mutex){0};
    std::map<int, Info> m_info GUARDED_BY(m_mutex);
    std::map<Service, int> m_index GUARDED_BY(m_mutex);
    std::vector<int> m_random GUARDED_BY(m_mutex); // ids, for uniform picks
    std::vector<int> m_new GUARDED_BY(m_mutex);    // NEW_BUCKET_COUNT x BUCKET_SIZE ids, -1 empty
    std::vector<int> m_tried GUARDED_BY(m_mutex);  // TRIED_BUCKET_COUNT x BUCKET_SIZE ids, -1 empty
    int m_new_count GUARDED_BY(m_mutex){0}, m_tried_count GUARDED_BY(m_mutex){0};
    int64_t m_last_good GUARDED_BY(m_mutex){1};
};

} // namespace net
