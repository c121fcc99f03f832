// RPC authentication as Bitcoin Core: HTTP Basic credentials checked against the cookie
// (__cookie__:<64 hex>), -rpcuser/-rpcpassword, and -rpcauth=<user>:<salt>$<hmac> entries
// (HMAC-SHA256 keyed with the salt over the password, hex). Plain passwords are kept only
// as salted HMACs, comparisons are constant-time, and nothing here is ever logged.
#pragma once

#include "common/rpc/cookie.h"
#include "util/strencodings.h"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace util {
class ArgsManager;
}

namespace node::http {

// The cookie's name and reading, and base64, live below (common/rpc/cookie.h, util/strencodings.h)
// so that the CLI links no server code; named here too for the server's callers.
using common::rpc::COOKIEAUTH_FILE;
using common::rpc::COOKIEAUTH_USER;
using common::rpc::GetAuthCookieFile;
using common::rpc::ReadAuthCookie;
using util::DecodeBase64;
using util::EncodeBase64;

/** Compares two strings in time independent of where they differ. */
bool TimingResistantEqual(std::string_view a, std::string_view b);
/** Lower-case hex HMAC-SHA256(key, message) via OpenSSL. */
std::string HmacSha256Hex(std::string_view key, std::string_view message);
/** n bytes from OpenSSL's CSPRNG as lower-case hex; throws std::runtime_error if it fails. */
std::string RandomHex(size_t n_bytes);

/**
 * Which methods each user may call (-rpcwhitelist, -rpcwhitelistdefault), as Core: a user
 * with a whitelist may call only its methods; a user without one may call everything
 * unless the default is to deny. Read-only after start-up, so any thread may ask.
 */
class RpcWhitelist {
public:
    /** Adds "user:method1,method2" (separators ',' or ' '); a second entry for a user intersects. */
    void Add(const std::string& entry);
    void SetDefaultDeny(bool deny) { m_default_deny = deny; }
    /** Whether users without a whitelist of their own may call nothing (-rpcwhitelistdefault). */
    bool DefaultDeny() const { return m_default_deny; }
    /** False when user's whitelist (or the default) forbids method. */
    bool Allows(const std::string& user, const std::string& method) const;
    /** Whether user has a whitelist of its own. */
    bool HasList(const std::string& user) const { return m_lists.count(user) > 0; }

private:
    std::map<std::string, std::set<std::string>> m_lists;
    bool m_default_deny{false};
};

/**
 * The set of accepted credentials. Fill it during start-up; Check may then be called from any
 * thread concurrently (it is const and touches no shared mutable state).
 */
class RpcAuthenticator {
public:
    /** Accepts user:password (stored as a salted HMAC, never in the clear). */
    void AddPlain(const std::string& user, const std::string& password);
    /** Parses an -rpcauth value "user:salt$hmac"; false (and nothing added) when malformed. */
    bool AddRpcAuth(const std::string& entry);
    /** True when no credential was added (every request is then refused). */
    bool Empty() const { return m_entries.empty(); }

    /**
     * Checks an HTTP Authorization header value ("Basic <base64 user:pass>"). On success
     * returns true and sets user. Constant-time in the password.
     */
    bool Check(std::string_view authorization, std::string& user) const;

    /** The per-user method whitelist checked after authentication. */
    RpcWhitelist& Whitelist() { return m_whitelist; }
    const RpcWhitelist& Whitelist() const { return m_whitelist; }

private:
    RpcWhitelist m_whitelist;
    struct Entry {
        std::string user;
        std::string salt;
        std::string hmac_hex;
    };
    std::vector<Entry> m_entries;
};

/** The cookie file mode for an -rpccookieperms value: owner 0600, group 0640, all 0644; nullopt if invalid. */
std::optional<unsigned> CookiePermsFromString(std::string_view readable_by);

/** A cookie InitRpcAuthentication accepts but leaves unwritten: "__cookie__:<64 hex>" and the file mode. */
struct PendingCookie {
    std::string user_pass;
    unsigned mode{0600};
};

/**
 * Writes the cookie (no newline) to path with its mode via a temporary file, as Core's
 * GenerateAuthCookie. Call it only once the RPC port is bound, so a node that fails to start
 * never replaces the cookie of one that runs. False with error set.
 */
bool WriteAuthCookie(const std::filesystem::path& path, const PendingCookie& cookie, std::string& error);
/** Removes the cookie file; missing files are ignored. Only for a cookie this process wrote (Core's g_generated_cookie). */
void DeleteAuthCookie(const std::filesystem::path& path);

/**
 * Sets up authentication from options as Core's InitRPCAuthentication: without -rpcpassword a
 * fresh cookie is accepted and returned in `cookie` for the caller to write with
 * WriteAuthCookie after binding (unless -norpccookiefile); with it, -rpcuser/-rpcpassword;
 * plus every -rpcauth. Returns false with error for a malformed -rpcauth ("Invalid -rpcauth
 * argument.") or -rpccookieperms.
 */
bool InitRpcAuthentication(const util::ArgsManager& args, RpcAuthenticator& auth, std::optional<PendingCookie>& cookie,
                           std::string& error);

} // namespace node::http
