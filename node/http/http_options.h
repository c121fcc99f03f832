// Options of the HTTP JSON-RPC server and their derivation from -rpcbind, -rpcallowip,
// -rpcport, -rpcthreads, -rpcworkqueue, -rpcservertimeout (Core's rules), plus the
// -rpcallowip subnet matcher. No Asio here, so it is cheap to include.
#pragma once

#include "util/strencodings.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace util {
class ArgsManager;
}

namespace node::http {

/**
 * An IP network (-rpcallowip value) as Core's CSubNet: IPv4 or IPv6, never both. An IPv4
 * address (IPv4-mapped IPv6 "::ffff:a.b.c.d" counts as IPv4, as Core's CNetAddr) matches
 * only IPv4 subnets and an IPv6 address only IPv6 ones, so "::/0" is all IPv6 and
 * "0.0.0.0/0" all IPv4. Plain value type.
 */
class Subnet {
public:
    /**
     * Parses as Core's LookupSubNet: "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1",
     * "fd00::/8", "fd00::/ffff::" (numeric addresses only, "[v6]" allowed); the CIDR length must
     * fit the family and a netmask must be of the same family and contiguous. nullopt when invalid.
     */
    static std::optional<Subnet> Parse(std::string_view text);
    /**
     * True when the textual address (IPv4, IPv6 or IPv4-mapped IPv6) lies in the subnet. As
     * Core's CSubNet::Match, addresses Core deems invalid (0.0.0.0, 255.255.255.255, ::,
     * 2001:db8::/32) match nothing.
     */
    bool Contains(std::string_view address) const;

private:
    bool m_ipv4{false};              // the subnet's family; IPv4 uses the first 4 bytes
    std::array<uint8_t, 16> m_net{}; // network address, already masked
    std::array<uint8_t, 16> m_mask{};
};

/** Everything HttpRpcServer::Start needs besides the RPC table and credentials. */
struct HttpServerOptions {
    /** host (numeric or name) and port; port 0 picks an ephemeral port (tests). */
    std::vector<std::pair<std::string, uint16_t>> bind;
    /** When true any failing endpoint fails Start; else only when none binds (IPv6 may be absent). */
    bool bind_explicit{false};
    /** Allowed client networks; loopback (127.0.0.0/8, ::1) is always allowed. */
    std::vector<Subnet> allow;
    /** Worker threads executing RPC calls (-rpcthreads). */
    int threads{4};
    /** Requests that may wait for a worker; beyond it 503 "Work queue depth exceeded" (-rpcworkqueue). */
    int work_queue{16};
    /** Largest accepted body (413 beyond) and header block (413 beyond). */
    size_t max_body_size{32u << 20};
    size_t max_header_size{8192};
    /** Idle keep-alive / slow-client timeout (-rpcservertimeout). */
    std::chrono::seconds idle_timeout{30};
    /** Delay before answering a wrong password (Core: 250 ms); does not block other clients. */
    std::chrono::milliseconds auth_failure_delay{250};
    /** Accept "/wallet/<name>" targets as well as "/". */
    bool wallet_endpoints{true};
    /**
     * Concurrent connections; at the cap a new one closes the oldest connection waiting for a
     * request (never-authenticated first), or is closed itself. minicashd derives it from the
     * descriptor limit (RpcConnectionLimit in http_limits.h).
     */
    int max_connections{1024};
    /** Pause before the next accept after EMFILE/ENFILE/ENOBUFS/ENOMEM (never a busy loop). */
    std::chrono::milliseconds accept_backoff{100};
};

/**
 * Builds options from args as Core: without both -rpcallowip and -rpcbind, binds 127.0.0.1 and
 * ::1 only (warning when one of them was given alone); otherwise each -rpcbind (host[:port],
 * [v6]:port). Fails with Core's messages for a bad -rpcport, -rpcbind or -rpcallowip.
 */
bool HttpServerOptionsFromArgs(const util::ArgsManager& args, uint16_t default_port, HttpServerOptions& options,
                               std::vector<std::string>& warnings, std::string& error);

/** Registers the RPC server options (-server, -rpcbind, -rpcallowip, -rpcport, -rpcuser, ...). */
void SetupRpcServerOptions(util::ArgsManager& args);

/** Core's SplitHostPort; lives in util/ so the CLI shares it without server code. */
using util::SplitHostPort;

} // namespace node::http
