// The P2P start-up step (init_network.h).
#include "node/init_network.h"

#include "net/banman.h"
#include "net/addrman.h"
#include "net/connman.h"
#include "net/net_address.h"
#include "node/chain/validation_owner.h"
#include "node/context.h"
#include "node/http/http_limits.h"
#include "node/init_net_options.h"
#include "node/mempool/tx_pool_adapter.h"
#include "node/p2p/peer_manager.h"
#include "node/rpc/net.h"
#include "node/rpc/net_addr.h"
#include "util/args.h"
#include "util/logging.h"

#include <cstdio>

namespace node {

namespace {

/** Parses a -bind value: an IP address with an optional port ("127.0.0.1", "[::1]:18444"). */
std::optional<boost::asio::ip::tcp::endpoint> ParseBind(const std::string& value, uint16_t default_port)
{
    const auto service = net::ParseService(value, default_port);
    if (!service || service->Port() == 0 || !(service->Address().IsIPv4() || service->Address().IsIPv6())) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(service->Address().ToString(), ec);
    if (ec) return std::nullopt;
    return boost::asio::ip::tcp::endpoint(addr, service->Port());
}

/** Core's DNS seeds (its chain parameters' vSeeds); none on regtest and custom signets. */
std::vector<std::string> DnsSeeds(consensus::ChainType chain)
{
    switch (chain) {
    case consensus::ChainType::MAIN:
        return {"seed.bitcoin.sipa.be.",   "dnsseed.bluematt.me.",        "seed.bitcoin.jonasschnelli.ch.",
                "seed.btc.petertodd.net.", "seed.bitcoin.sprovoost.nl.",  "dnsseed.emzy.de.",
                "seed.bitcoin.wiz.biz.",   "seed.mainnet.achownodes.xyz."};
    case consensus::ChainType::TESTNET:
        return {"testnet-seed.bitcoin.jonasschnelli.ch.", "seed.tbtc.petertodd.net.",
                "seed.testnet.bitcoin.sprovoost.nl.", "testnet-seed.bluematt.me.", "seed.testnet.achownodes.xyz."};
    case consensus::ChainType::TESTNET4: return {"seed.testnet4.bitcoin.sprovoost.nl.", "seed.testnet4.wiz.biz."};
    case consensus::ChainType::SIGNET: return {"seed.signet.bitcoin.sprovoost.nl.", "seed.signet.achownodes.xyz."};
    case consensus::ChainType::REGTEST: break;
    }
    return {};
}

/** The address file of the node's network. */
std::filesystem::path PeersFile(const NodeContext& node) { return node.datadir_net / "peers.dat"; }

} // namespace

void SetupNetworkOptions(util::ArgsManager& args)
{
    using util::ArgsManager;
    using util::OptionsCategory;
    args.AddArg("-listen", "Accept connections from outside (default: 1 if no -connect)", ArgsManager::ALLOW_ANY,
                OptionsCategory::CONNECTION);
    args.AddArg("-bind=<addr>[:<port>]",
                "Bind to given address and always listen on it (default: 0.0.0.0 and [::]). Use [host]:port notation "
                "for IPv6",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-port=<port>",
                "Listen for connections on <port> (default: 8333, testnet3: 18333, testnet4: 48333, signet: 38333, "
                "regtest: 18444)",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-connect=<ip>",
                "Connect only to the specified node; -noconnect disables automatic connections. This option can be "
                "specified multiple times to connect to multiple nodes.",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-addnode=<ip>",
                "Add a node to connect to and attempt to keep the connection open. This option can be specified "
                "multiple times to add multiple nodes.",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-seednode=<ip>",
                "Connect to a node to retrieve peer addresses, and disconnect. This option can be specified multiple "
                "times to connect to multiple nodes.",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-dnsseed",
                "Query for peer addresses via DNS lookup, if low on addresses (default: 1 unless -connect used)",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-externalip=<ip>", "Specify your own public address", ArgsManager::ALLOW_ANY,
                OptionsCategory::CONNECTION);
    args.AddArg("-addrmanunroutable",
                "Regtest only: learn and connect to addresses that are not publicly routable (loopback, private), "
                "as the tests' 127.0.0.x nodes (default: 0)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::CONNECTION);
    args.AddArg("-maxconnections=<n>", "Maintain at most <n> automatic connections to peers (default: 125).",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-peertimeout=<n>",
                "Specify a p2p connection timeout delay in seconds. After connecting to a peer, wait this amount of "
                "time before considering disconnection based on inactivity (minimum: 1, default: 60)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::CONNECTION);
    SetupBanAndLimitOptions(args); // init_net_options.h
}

namespace {

/**
 * Core's ReattemptInitialBroadcast on the scheduler: our unbroadcast transactions are
 * announced again every 10 to 15 minutes (a new random delay each time).
 */
void ScheduleReattemptBroadcast(NodeContext& node)
{
    node.scheduler->ScheduleFromNow(
        [&node] {
            node.peerman->ReattemptInitialBroadcast();
            ScheduleReattemptBroadcast(node);
        },
        node.peerman->UnbroadcastRetryDelay());
}

} // namespace

bool InitNetwork(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    const auto fail = [](const std::string& msg) {
        util::LogPrintf("Error: %s", msg.c_str());
        std::fprintf(stderr, "Error: %s\n", msg.c_str());
        return false;
    };
    net::ConnmanOptions o;
    o.magic = node.params->message_start;
    o.default_port = node.params->default_port;
    const int64_t port = args.GetIntArg("-port", node.params->default_port);
    if (port <= 0 || port > 65535) return fail("Invalid port specified in -port: '" + args.GetArg("-port", "") + "'");
    // -connect: only these peers (-connect=0 / -noconnect: none), and no listening unless asked.
    std::vector<std::string> connect = args.GetArgs("-connect");
    const bool connect_set = args.IsArgSet("-connect");
    // As Core, listening and DNS seeding default off only when -connect names something
    // ("-connect=0" included); a bare -noconnect (no automatic connections) still listens.
    const bool connect_given = !connect.empty();
    if (connect.size() == 1 && (connect[0] == "0" || args.IsArgNegated("-connect"))) connect.clear();
    if (args.IsArgNegated("-connect")) connect.clear();
    const bool listen = args.GetBoolArg("-listen", !connect_given);
    if (listen) {
        const auto binds = args.GetArgs("-bind");
        if (binds.empty() && !args.IsArgSet("-whitebind")) {
            o.listen_defaults = true;
            o.listen.emplace_back(boost::asio::ip::address_v6::any(), static_cast<uint16_t>(port));
            o.listen.emplace_back(boost::asio::ip::address_v4::any(), static_cast<uint16_t>(port));
        }
        for (const std::string& b : binds) {
            auto ep = ParseBind(b, static_cast<uint16_t>(port));
            if (!ep) return fail("Cannot resolve -bind address: '" + b + "'");
            o.listen.push_back(*ep);
        }
    }
    o.connect = std::move(connect);
    o.addnode = args.GetArgs("-addnode");
    o.max_connections = static_cast<int>(std::max<int64_t>(0, args.GetIntArg("-maxconnections", 125)));
    const int64_t peertimeout = args.GetIntArg("-peertimeout", 60);
    if (peertimeout < 1) return fail("peertimeout must be a positive integer.");
    o.peer_connect_timeout = std::chrono::seconds(peertimeout);
    std::string error;
    if (!ReadBanAndLimitOptions(args, listen, o, error)) return fail(error);
    // Core's file descriptor budget: the connections must fit in P2P's share (what is beyond the
    // node's own reserve, InitResourceLimits), beside the listening sockets and addnode slots.
    const int fd_budget = node.fd_p2p - static_cast<int>(o.listen.size()) - net::MAX_ADDNODE;
    if (node.fd_available > 0 && o.max_connections > std::max(0, fd_budget)) {
        util::LogPrintf("Warning: Reducing -maxconnections from %d to %d, because of system limitations.\n",
                        o.max_connections, std::max(0, fd_budget));
        o.max_connections = std::max(0, fd_budget);
    }
    node.banman = std::make_unique<net::BanMan>(node.datadir_net / "banlist.json",
                                                args.GetIntArg("-bantime", net::DEFAULT_BANTIME_SECONDS));
    o.banman = node.banman.get();
    // The address manager, from peers.dat (a corrupt file stops start-up, as Core).
    net::AddrManOptions ao;
    ao.allow_unroutable = node.chain == consensus::ChainType::REGTEST && args.GetBoolArg("-addrmanunroutable", false);
    node.addrman = std::make_unique<net::AddrMan>(ao);
    const std::filesystem::path peers = PeersFile(node);
    if (node.addrman->LoadFile(peers, o.magic, error) == net::AddrManLoad::CORRUPT) {
        return fail("Invalid or corrupt peers.dat (" + error + "). As a workaround, you can move the file (" +
                    peers.string() +
                    ") out of the way (rename, move, or delete) to have a new one created on the "
                    "next start.");
    }
    util::LogPrintf("Loaded %zu addresses from peers.dat\n", node.addrman->Size());
    o.addrman = node.addrman.get();
    o.automatic_outbound = !connect_set;
    o.seednodes = args.GetArgs("-seednode");
    const bool custom_signet = args.IsArgSet("-signetchallenge");
    if (args.GetBoolArg("-dnsseed", !connect_given) && !custom_signet) o.dns_seeds = DnsSeeds(node.chain);
    o.dump_addresses = [addrman = node.addrman.get(), peers, magic = o.magic] {
        std::string err;
        if (!addrman->SaveFile(peers, magic, err))
            util::LogPrintf("Error: could not save peers.dat: %s\n", err.c_str());
    };
    p2p::AddrRelayOptions ro;
    for (const std::string& e : args.GetArgs("-externalip")) {
        const auto s = net::ParseService(e, static_cast<uint16_t>(port));
        if (!s) return fail("Cannot resolve -externalip address: '" + e + "'");
        ro.local.push_back(*s);
    }
    ro.listen_port = listen ? static_cast<uint16_t>(port) : 0;
    ro.allow_unroutable = ao.allow_unroutable;
    ro.in_ibd = [chainstate = node.chainstate.get()] { return chainstate->IsInitialBlockDownload(); };
    node.connman = std::make_unique<net::ConnectionManager>(o);
    node.peerman = std::make_unique<p2p::PeerManager>(*node.chainstate, *node.validation_owner, *node.connman);
    node.addr_relay = std::make_unique<p2p::AddrRelay>(*node.addrman, *node.connman, ro);
    node.peerman->SetAddrRelay(node.addr_relay.get());
    if (node.mempool) {
        node.tx_pool = std::make_unique<mempool::RelayPool>(*node.mempool);
        node.peerman->SetTxPool(node.tx_pool.get());
    }
    if (!node.connman->Start(*node.peerman, error)) return fail(error);
    if (node.scheduler) ScheduleReattemptBroadcast(node);
    rpc::RegisterNetRpc(*node.rpc_table, *node.connman, *node.peerman);
    rpc::RegisterAddrRpc(*node.rpc_table, *node.addrman);
    return true;
}

void StopNetwork(NodeContext& node)
{
    // The scheduler's tasks use the peer manager: none runs once it is stopped.
    if (node.scheduler) node.scheduler->Stop();
    if (node.peerman) node.peerman->Stop();
    if (node.connman) node.connman->Stop();
    // Transactions still in script pre-verification go on to the owner's queue first.
    if (node.mempool) node.mempool->FlushPreverify();
    // The handler's jobs still queued on the validation owner call it back when they end:
    // let them run (the queue is FIFO) before the handler goes away.
    if (node.peerman && node.validation_owner) {
        try {
            node.validation_owner->Submit([] {}).get();
        } catch (const std::exception&) {
            // Stopped already: it ran or cancelled every job.
        }
    }
    node.peerman.reset();
    node.tx_pool.reset();
    node.addr_relay.reset();
    node.connman.reset();
    if (node.addrman) {
        std::string error;
        if (!node.addrman->SaveFile(PeersFile(node), node.params->message_start, error)) {
            util::LogPrintf("Error: could not save peers.dat: %s\n", error.c_str());
        }
        node.addrman.reset();
    }
    node.banman.reset(); // saves banlist.json
}

} // namespace node
