// The ban list and the discouraged addresses (Core's BanMan). Bans are subnets with an expiry,
// set by the user (setban), kept in <datadir>/<chain>/banlist.json in Core's format and
// written atomically on every change and at shutdown. Discouragement is what misbehaving
// peers get: their address is remembered (bounded, oldest forgotten first) so that their
// inbound connections are accepted only while slots are free, and evicted first.
#pragma once

#include "net/net_address.h"
#include "net/subnet.h"
#include "util/sync.h"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace net {

/** Core's DEFAULT_MISBEHAVING_BANTIME (-bantime): 24 hours. */
inline constexpr int64_t DEFAULT_BANTIME_SECONDS = 60 * 60 * 24;
/**
 * Discouraged addresses remembered. Core keeps them in a rolling bloom filter of 50,000
 * entries (false positives one in a million); here an exact set of that size whose oldest
 * entry is forgotten first.
 */
inline constexpr size_t MAX_DISCOURAGED = 50'000;

/** One ban (Core's CBanEntry), times in UNIX seconds. */
struct BanEntry {
    int64_t create_time{0};
    int64_t ban_until{0};
    bool operator==(const BanEntry&) const = default;
};

using BanMap = std::map<SubNet, BanEntry>;

/** banlist.json's text (Core's format: {"banned_nets":[{version, ban_created, banned_until, address}]}). */
std::string BanMapToJson(const BanMap& bans);
/**
 * Reads banlist.json's text. nullopt if it is not JSON of that shape; entries with an unknown
 * version or an unparseable address are dropped (logged), as Core.
 */
std::optional<BanMap> BanMapFromJson(const std::string& text);

class BanMan {
public:
    /**
     * file: where the list is kept (empty: nowhere, for tests); loaded now (a missing file is
     * an empty list; a corrupt one is logged and replaced, as Core's "Recreating the banlist
     * database"). clock gives UNIX seconds (unset: the system clock). default_ban_time: -bantime.
     */
    BanMan(std::filesystem::path file, int64_t default_ban_time = DEFAULT_BANTIME_SECONDS,
           std::function<int64_t()> clock = {});
    ~BanMan();
    BanMan(const BanMan&) = delete;
    BanMan& operator=(const BanMan&) = delete;

    /**
     * Bans subnet until now + offset (absolute: until offset itself); offset <= 0 means the
     * default ban time from now. An existing ban is only ever lengthened. Saved at once. Any thread.
     */
    void Ban(const SubNet& subnet, int64_t offset = 0, bool absolute = false) EXCLUDES(m_mutex);
    /** Removes the ban of exactly this subnet; false if there was none. Saved at once. */
    bool Unban(const SubNet& subnet) EXCLUDES(m_mutex);
    /** True if addr is in a ban that has not expired. */
    bool IsBanned(const NetAddress& addr) const EXCLUDES(m_mutex);
    /** True if exactly this subnet is banned and the ban has not expired. */
    bool IsBanned(const SubNet& subnet) const EXCLUDES(m_mutex);
    /** The bans in force (expired ones are removed first). */
    BanMap GetBanned() EXCLUDES(m_mutex);
    /** Removes every ban (not the discouraged addresses, as Core). Saved at once. */
    void ClearBanned() EXCLUDES(m_mutex);
    /** Remembers addr as discouraged (misbehaved). */
    void Discourage(const NetAddress& addr) EXCLUDES(m_mutex);
    bool IsDiscouraged(const NetAddress& addr) const EXCLUDES(m_mutex);
    /** Writes the list if it changed since the last write; false (logged) if the write failed. */
    bool Save() EXCLUDES(m_save_mutex, m_mutex);
    /** -bantime. */
    int64_t DefaultBanTime() const { return m_default_ban_time; }

private:
    int64_t Now() const;
    void SweepBanned() REQUIRES(m_mutex);

    const std::filesystem::path m_file;
    const int64_t m_default_ban_time;
    const std::function<int64_t()> m_clock;

    // Held across a save's snapshot and write, so concurrent saves neither share the temporary
    // file nor rename an older snapshot over a newer one.
    util::Mutex m_save_mutex ACQUIRED_BEFORE(m_mutex);
    mutable util::Mutex m_mutex;
    BanMap m_banned GUARDED_BY(m_mutex);
    bool m_dirty GUARDED_BY(m_mutex){false};
    std::set<NetAddress> m_discouraged GUARDED_BY(m_mutex);
    std::deque<NetAddress> m_discouraged_order GUARDED_BY(m_mutex); // oldest first
};

} // namespace net
