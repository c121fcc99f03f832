// Peer permissions (Core's NetPermissionFlags) granted by -whitebind and -whitelist, their
// names as getpeerinfo shows them, and the parsers of the two options with Core's errors.
#pragma once

#include "net/net_address.h"
#include "net/subnet.h"

#include <cstdint>
#include <string>
#include <vector>

namespace net {

/** Core's permission bits; a permission that implies another includes its bit. */
enum class NetPermissionFlags : uint32_t {
    NONE = 0,
    BLOOMFILTER = 1u << 1,          // may ask for bloom filters
    RELAY = 1u << 3,                // transactions relayed even in -blocksonly
    FORCERELAY = (1u << 2) | RELAY, // transactions relayed even if already known
    DOWNLOAD = 1u << 6,             // may download past -maxuploadtarget
    NOBAN = (1u << 4) | DOWNLOAD,   // never banned, discouraged or evicted
    MEMPOOL = 1u << 5,              // may ask for the mempool
    ADDR = 1u << 7,                 // getaddr answers not cached or rate limited
    IMPLICIT = 1u << 31,            // no permission named: the default set (ApplyImplicit)
    ALL = BLOOMFILTER | FORCERELAY | RELAY | NOBAN | MEMPOOL | DOWNLOAD | ADDR,
};

inline NetPermissionFlags operator|(NetPermissionFlags a, NetPermissionFlags b)
{
    return static_cast<NetPermissionFlags>(static_cast<uint32_t>(a) | static_cast<uint32_t>(b));
}
/** True if every bit of f is in flags. */
inline bool HasPermission(NetPermissionFlags flags, NetPermissionFlags f)
{
    return (static_cast<uint32_t>(flags) & static_cast<uint32_t>(f)) == static_cast<uint32_t>(f);
}

/** Core's names in Core's order: bloomfilter, noban, forcerelay, relay, mempool, download, addr. */
std::vector<std::string> PermissionStrings(NetPermissionFlags flags);

/**
 * Replaces IMPLICIT by Core's default set for a whitelisted peer without named permissions
 * (-whitelistrelay's default on, -whitelistforcerelay's off): noban, relay, mempool, download.
 */
NetPermissionFlags ApplyImplicit(NetPermissionFlags flags);

/** One -whitebind: where to listen and what its inbound peers may do. */
struct WhitebindPermissions {
    NetPermissionFlags flags{NetPermissionFlags::NONE};
    Service service;
};

/** One -whitelist: a subnet and what its inbound peers may do. */
struct WhitelistPermissions {
    NetPermissionFlags flags{NetPermissionFlags::NONE};
    SubNet subnet;
};

/**
 * Parses "[perm1,perm2@]rest": flags (IMPLICIT when there is no '@') and the offset of rest.
 * False with Core's error "Invalid P2P permission: 'x'" for an unknown name.
 */
bool ParsePermissionFlags(const std::string& str, NetPermissionFlags& flags, size_t& offset, std::string& error);
/** -whitebind=[perms@]addr:port; Core's errors ("Cannot resolve -whitebind address: 'x'", "Need to specify a port with -whitebind: 'x'"). */
bool ParseWhitebind(const std::string& str, WhitebindPermissions& out, std::string& error);
/** -whitelist=[perms@]IP[/netmask]; Core's error "Invalid netmask specified in -whitelist: 'x'". */
bool ParseWhitelist(const std::string& str, WhitelistPermissions& out, std::string& error);

} // namespace net
