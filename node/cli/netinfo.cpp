// minicash-cli -netinfo formatting (see netinfo.h), following bitcoin-cli's dashboard.
#include "node/cli/netinfo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <tuple>

namespace node::cli {

using common::rpc::Json;

namespace {

constexpr int MAX_DETAIL_LEVEL = 4;
/** Core's network names as getpeerinfo / getnetworkinfo spell them, and -netinfo's short ones. */
constexpr std::array<const char*, 7> NETWORKS{
    "not_publicly_routable", "ipv4", "ipv6", "onion", "i2p", "cjdns", "internal"};
constexpr std::array<const char*, 7> NETWORK_SHORT{"npr", "ipv4", "ipv6", "onion", "i2p", "cjdns", "int"};
/** Networks never "reachable" in getnetworkinfo: shown as columns only when they have peers. */
constexpr std::array<size_t, 2> UNREACHABLE_IDS{0, 6};

struct Peer {
    std::string addr, sub_version, conn_type, network, age, transport;
    double min_ping{-1}, ping{-1};
    int64_t addr_processed{0}, addr_rate_limited{0}, last_blck{0}, last_recv{0}, last_send{0}, last_trxn{0};
    int64_t id{0}, version{0};
    bool addr_relay{false}, hb_from{false}, hb_to{false}, outbound{false}, tx_relay{true};
};

/** printf into a std::string (the table's fixed-width columns). */
template <typename... Args>
std::string Fmt(const char* format, Args... args)
{
    const int n = std::snprintf(nullptr, 0, format, args...);
    std::string out(static_cast<size_t>(std::max(n, 0)) + 1, '\0');
    std::snprintf(out.data(), out.size(), format, args...);
    out.resize(static_cast<size_t>(std::max(n, 0)));
    return out;
}

int NetworkId(const std::string& name)
{
    for (size_t i = 0; i < NETWORKS.size(); ++i)
        if (name == NETWORKS[i]) return static_cast<int>(i);
    return -1;
}

int64_t Int(const Json& o, const char* key)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_number() ? it->get<int64_t>() : 0;
}

bool Bool(const Json& o, const char* key, bool fallback)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string Str(const Json& o, const char* key)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Seconds(const Json& o, const char* key)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_number() ? it->get<double>() : -1;
}

/** Core's PingTimeToString: milliseconds rounded, "-" past 999999, empty if never measured. */
std::string PingMs(double seconds)
{
    if (seconds < 0) return "";
    const double ms = std::round(1000 * seconds);
    return ms > 999999 ? "-" : std::to_string(static_cast<int64_t>(ms));
}

std::string TypeColumn(const std::string& conn_type)
{
    if (conn_type == "outbound-full-relay") return "full";
    if (conn_type == "block-relay-only") return "block";
    if (conn_type == "manual" || conn_type == "feeler") return conn_type;
    if (conn_type == "addr-fetch") return "addr";
    return "";
}

std::string Since(int64_t now, int64_t then, int64_t unit)
{
    return then ? std::to_string((now - then) / unit) : std::string();
}

} // namespace

NetinfoOptions ParseNetinfoArgs(const std::vector<std::string>& args)
{
    NetinfoOptions options;
    if (args.empty()) return options;
    const std::string& level = args[0];
    const bool digits = !level.empty() && level.size() <= 3 &&
                        std::all_of(level.begin(), level.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int n = digits ? std::stoi(level) : -1;
    if (n < 0 || n > 255) {
        throw std::runtime_error("invalid -netinfo level argument: " + level +
                                 "\nFor more information, run: minicash-cli -netinfo help");
    }
    options.level = std::min(n, MAX_DETAIL_LEVEL);
    if (args.size() > 1) {
        const std::string& s = args[1];
        if (n && (s == "o" || s == "outonly")) {
            options.outonly = true;
        } else if (n) {
            throw std::runtime_error("invalid -netinfo outonly argument: " + s +
                                     "\nFor more information, run: minicash-cli -netinfo help");
        } else {
            throw std::runtime_error("invalid -netinfo outonly argument: " + s +
                                     "\nThe outonly argument is only valid for a level greater than 0 (the first "
                                     "argument). For more information, run: minicash-cli -netinfo help");
        }
    }
    return options;
}

std::string NetinfoHelp()
{
    return "-netinfo (level [outonly]) | help\n\n"
           "Returns a network peer connections dashboard with information from the remote server.\n"
           "This human-readable interface will change regularly and is not intended to be a stable API.\n"
           "Under the hood, -netinfo fetches the data by calling getpeerinfo and getnetworkinfo.\n"
           "An optional argument from 0 to 4 can be passed for different peers listings; values above 4 up to 255 "
           "are parsed as 4.\n"
           "If that argument is passed, an optional additional \"outonly\" argument may be passed to obtain the "
           "listing with outbound peers only.\n"
           "Pass \"help\" to see this detailed help documentation.\n\n"
           "Arguments:\n"
           "1. level (integer 0-4, optional)  Specify the info level of the peers dashboard (default 0):\n"
           "                                  0 - Peer counts for each reachable network as well as for block relay "
           "peers\n"
           "                                      and manual peers, and the list of local addresses and ports\n"
           "                                  1 - Like 0 but preceded by a peers listing (without address and version "
           "columns)\n"
           "                                  2 - Like 1 but with an address column\n"
           "                                  3 - Like 1 but with a version column\n"
           "                                  4 - Like 1 but with both address and version columns\n"
           "2. outonly (\"outonly\" or \"o\", optional) Return the peers listing with outbound peers only, i.e. to "
           "save screen space\n"
           "                                  when a node has many inbound peers. Only valid if a level is passed.\n\n"
           "help (\"help\" or \"h\", optional) Print this help documentation instead of the dashboard.\n\n"
           "Result:\n\n"
           "* The peers listing in levels 1-4 displays all of the peers sorted by direction and minimum ping time:\n\n"
           "  Column   Description\n"
           "  ------   -----------\n"
           "  <->      Direction: \"in\" (initiated by the peer) or \"out\" (initiated by us)\n"
           "  type     Type of peer connection: \"full\", \"block\", \"manual\", \"feeler\", \"addr\"\n"
           "  net      Network the peer connected through (\"ipv4\", \"ipv6\", \"onion\", \"i2p\", \"cjdns\", "
           "or \"npr\")\n"
           "  v        Version of transport protocol used for the connection\n"
           "  mping    Minimum observed ping time, in milliseconds (ms)\n"
           "  ping     Last observed ping time, in milliseconds (ms)\n"
           "  send     Time since last message sent to the peer, in seconds\n"
           "  recv     Time since last message received from the peer, in seconds\n"
           "  txn      Time since last novel transaction received from the peer, in minutes (\"*\": we do not relay "
           "transactions to it)\n"
           "  blk      Time since last novel block passing initial validity checks received from the peer, in "
           "minutes\n"
           "  hb       High-bandwidth BIP152 compact block relay: \".\" we selected the peer, \"*\" it selected us\n"
           "  addrp    Total number of addresses processed, excluding those dropped due to rate limiting (\".\": "
           "no address relay)\n"
           "  addrl    Total number of addresses dropped due to rate limiting\n"
           "  age      Duration of connection to the peer, in minutes\n"
           "  id       Peer index, in increasing order of peer connections since node startup\n"
           "  address  IP address and port of the peer\n"
           "  version  Peer version and subversion concatenated, e.g. \"70016/Satoshi:21.0.0/\"\n\n"
           "* The peer counts table displays the number of peers for each reachable network as well as\n"
           "  the number of block relay peers and manual peers.\n\n"
           "* The local addresses table lists each local address broadcast by the node, the port, and the score.\n\n"
           "Examples:\n\n"
           "Peer counts table of reachable networks and list of local addresses\n"
           "> minicash-cli -netinfo\n\n"
           "The same, preceded by a peers listing without address and version columns\n"
           "> minicash-cli -netinfo 1\n\n"
           "Full dashboard\n"
           "> minicash-cli -netinfo 4\n\n"
           "Full dashboard, but with outbound peers only\n"
           "> minicash-cli -netinfo 4 outonly\n";
}

std::string FormatNetinfo(const Json& peerinfo, const Json& networkinfo, const NetinfoOptions& options, int64_t now,
                          const std::string& client_version, const std::string& chain)
{
    const bool details = options.level > 0;
    const bool show_addr = options.level == 2 || options.level == 4;
    const bool show_version = options.level == 3 || options.level == 4;
    // Counts by direction (in, out, total) and network (the last column: all networks).
    std::array<std::array<int, NETWORKS.size() + 1>, 3> counts{};
    int block_relay = 0, manual = 0;
    std::vector<Peer> peers;
    size_t addr_w = 0, addrp_w = 5, addrl_w = 6, age_w = 5, id_w = 2;
    for (const Json& p : peerinfo.is_array() ? peerinfo : Json::array()) {
        if (!p.is_object()) continue;
        const int net = NetworkId(Str(p, "network"));
        if (net < 0) continue;
        const bool outbound = !Bool(p, "inbound", false);
        const std::string conn_type = Str(p, "connection_type");
        for (const size_t row : {static_cast<size_t>(outbound), size_t{2}}) {
            ++counts[row][static_cast<size_t>(net)];
            ++counts[row][NETWORKS.size()];
        }
        if (conn_type == "block-relay-only") ++block_relay;
        if (conn_type == "manual") ++manual;
        if (!details || (options.outonly && !outbound)) continue;
        Peer peer;
        peer.addr = Str(p, "addr");
        peer.sub_version = Str(p, "subver");
        peer.conn_type = conn_type;
        peer.network = NETWORK_SHORT[static_cast<size_t>(net)];
        const int64_t conn_time = Int(p, "conntime");
        peer.age = conn_time ? std::to_string((now - conn_time) / 60) : "";
        peer.transport = p.contains("transport_protocol_type") ? Str(p, "transport_protocol_type") : "v1";
        peer.min_ping = Seconds(p, "minping");
        peer.ping = Seconds(p, "pingtime");
        peer.addr_processed = Int(p, "addr_processed");
        peer.addr_rate_limited = Int(p, "addr_rate_limited");
        peer.last_blck = Int(p, "last_block");
        peer.last_recv = Int(p, "lastrecv");
        peer.last_send = Int(p, "lastsend");
        peer.last_trxn = Int(p, "last_transaction");
        peer.id = Int(p, "id");
        peer.version = Int(p, "version");
        peer.addr_relay = Bool(p, "addr_relay_enabled", false);
        peer.hb_from = Bool(p, "bip152_hb_from", false);
        peer.hb_to = Bool(p, "bip152_hb_to", false);
        peer.outbound = outbound;
        peer.tx_relay = Bool(p, "relaytxes", true);
        addr_w = std::max(addr_w, peer.addr.size() + 1);
        addrp_w = std::max(addrp_w, std::to_string(peer.addr_processed).size());
        addrl_w = std::max(addrl_w, std::to_string(peer.addr_rate_limited).size());
        age_w = std::max(age_w, peer.age.size());
        id_w = std::max(id_w, std::to_string(peer.id).size());
        peers.push_back(std::move(peer));
    }

    std::string out = "Minicash client " + client_version + chain + " - server " +
                      std::to_string(Int(networkinfo, "protocolversion")) + Str(networkinfo, "subversion") + "\n\n";

    if (details && !peers.empty()) {
        std::stable_sort(peers.begin(), peers.end(), [](const Peer& a, const Peer& b) {
            return std::tie(a.outbound, a.min_ping) < std::tie(b.outbound, b.min_ping);
        });
        out += Fmt("<->   type   net  v  mping   ping send recv  txn  blk  hb %*s%*s%*s ", static_cast<int>(addrp_w),
                   "addrp", static_cast<int>(addrl_w), "addrl", static_cast<int>(age_w), "age");
        out += Fmt("%*s %-*s%s\n", static_cast<int>(id_w), "id", show_addr ? static_cast<int>(addr_w) : 0,
                   show_addr ? "address" : "", show_version ? "version" : "");
        for (const Peer& p : peers) {
            const std::string version = std::to_string(p.version) + p.sub_version;
            const std::string v = p.transport.size() == 2 && p.transport[0] == 'v' ? p.transport.substr(1) : " ";
            const std::string txn = p.last_trxn ? Since(now, p.last_trxn, 60) : (p.tx_relay ? "" : "*");
            const std::string hb = std::string(p.hb_to ? "." : " ") + (p.hb_from ? "*" : " ");
            const std::string addrp = p.addr_processed ? std::to_string(p.addr_processed) : (p.addr_relay ? "" : ".");
            const std::string addrl = p.addr_rate_limited ? std::to_string(p.addr_rate_limited) : "";
            out += Fmt("%3s %6s %5s %2s%7s%7s%5s%5s%5s%5s  %2s %*s%*s%*s %*lld %-*s%s\n", p.outbound ? "out" : "in",
                       TypeColumn(p.conn_type).c_str(), p.network.c_str(), v.c_str(), PingMs(p.min_ping).c_str(),
                       PingMs(p.ping).c_str(), Since(now, p.last_send, 1).c_str(), Since(now, p.last_recv, 1).c_str(),
                       txn.c_str(), Since(now, p.last_blck, 60).c_str(), hb.c_str(), static_cast<int>(addrp_w),
                       addrp.c_str(), static_cast<int>(addrl_w), addrl.c_str(), static_cast<int>(age_w), p.age.c_str(),
                       static_cast<int>(id_w), static_cast<long long>(p.id), show_addr ? static_cast<int>(addr_w) : 0,
                       show_addr ? p.addr.c_str() : "", show_version && version != "0" ? version.c_str() : "");
        }
        out += Fmt("                        ms     ms  sec  sec  min  min                %*s\n\n",
                   static_cast<int>(age_w), "min");
    }

    // The counts table: a column per reachable network, then unreachable ones that have peers.
    out += "     ";
    std::vector<size_t> columns;
    const Json networks = networkinfo.value("networks", Json::array());
    for (const Json& n : networks.is_array() ? networks : Json::array()) {
        if (!n.is_object() || !Bool(n, "reachable", false)) continue;
        const int id = NetworkId(Str(n, "name"));
        if (id < 0) continue;
        out += Fmt("%8s", NETWORKS[static_cast<size_t>(id)]);
        columns.push_back(static_cast<size_t>(id));
    }
    for (const size_t id : UNREACHABLE_IDS) {
        if (counts[2][id] == 0) continue;
        out += Fmt("%8s", NETWORK_SHORT[id]);
        columns.push_back(id);
    }
    out += "   total   block";
    if (manual) out += "  manual";
    const std::array<const char*, 3> rows{"in", "out", "total"};
    for (size_t i = 0; i < rows.size(); ++i) {
        out += Fmt("\n%-5s", rows[i]);
        for (const size_t id : columns) out += Fmt("%8i", counts[i][id]);
        out += Fmt("   %5i", counts[i][NETWORKS.size()]);
        if (i == 1) { // the outbound row: block-relay-only and manual peers too
            out += Fmt("   %5i", block_relay);
            if (manual) out += Fmt("   %5i", manual);
        }
    }

    out += "\n\nLocal addresses";
    const Json local = networkinfo.value("localaddresses", Json::array());
    if (!local.is_array() || local.empty()) {
        out += ": n/a\n";
    } else {
        size_t width = 0;
        for (const Json& a : local)
            if (a.is_object()) width = std::max(width, Str(a, "address").size() + 1);
        for (const Json& a : local) {
            if (!a.is_object()) continue;
            out += Fmt("\n%-*s    port %6lld    score %6lld", static_cast<int>(width), Str(a, "address").c_str(),
                       static_cast<long long>(Int(a, "port")), static_cast<long long>(Int(a, "score")));
        }
    }
    return out;
}

} // namespace node::cli
