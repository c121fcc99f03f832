// libFuzzer target: the P2P message handler (node/p2p/peer_manager.h) fed message sequences.
// One regtest chainstate of 20 blocks in a temporary directory and its validation owner live
// for the whole run; each input gets a fresh PeerManager over a ConnectionManager that is never
// started (its Send/Disconnect find no connection and do nothing, so nothing leaves the
// process). The input opens 1-3 peers (inbound, outbound or manual), then each step picks a
// peer and an action: a known command (or an unknown one) with a payload from the input, a
// well-formed handshake, headers/getheaders/getdata/inv built from the chain's real blocks
// (so the fuzzer reaches past decoding), a send-room callback, a reconnect, or a drain of the
// owner. The handler must not crash, hang or throw; when every peer is finalized and the
// owner drained, GetPeerStats knows none of them (nothing of a peer is kept after it leaves).
#include "fuzz_common.h"

#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/serialize.h"
#include "net/connman.h"
#include "net/messages.h"
#include "node/chain/chainstate.h"
#include "node/chain/validation_owner.h"
#include "node/p2p/peer_manager.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using consensus::Uint256;

/** Every command the handler knows, and one it does not. */
constexpr std::array<std::string_view, 36> COMMANDS{
    net::msg_type::VERSION,     net::msg_type::VERACK,       net::msg_type::ADDR,        net::msg_type::ADDRV2,
    net::msg_type::SENDADDRV2,  net::msg_type::INV,          net::msg_type::GETDATA,     net::msg_type::MERKLEBLOCK,
    net::msg_type::GETBLOCKS,   net::msg_type::GETHEADERS,   net::msg_type::TX,          net::msg_type::HEADERS,
    net::msg_type::BLOCK,       net::msg_type::GETADDR,      net::msg_type::MEMPOOL,     net::msg_type::PING,
    net::msg_type::PONG,        net::msg_type::NOTFOUND,     net::msg_type::FILTERLOAD,  net::msg_type::FILTERADD,
    net::msg_type::FILTERCLEAR, net::msg_type::SENDHEADERS,  net::msg_type::FEEFILTER,   net::msg_type::SENDCMPCT,
    net::msg_type::CMPCTBLOCK,  net::msg_type::GETBLOCKTXN,  net::msg_type::BLOCKTXN,    net::msg_type::GETCFILTERS,
    net::msg_type::CFILTER,     net::msg_type::GETCFHEADERS, net::msg_type::CFHEADERS,   net::msg_type::GETCFCHECKPT,
    net::msg_type::CFCHECKPT,   net::msg_type::WTXIDRELAY,   net::msg_type::SENDTXRCNCL, "garbage"};

constexpr int CHAIN_BLOCKS = 20;
constexpr size_t MAX_STEPS = 64;
constexpr size_t MAX_PAYLOAD = 4096;

/** The chainstate, its owner and the inert connection manager, shared by every input. */
struct Env {
    std::filesystem::path dir;
    std::unique_ptr<node::chain::Chainstate> chain;
    std::unique_ptr<node::chain::ValidationOwner> owner;
    std::unique_ptr<net::ConnectionManager> connman;
    std::vector<consensus::BlockHeader> headers; // the active chain's, genesis first

    Env()
    {
        std::string templ = (std::filesystem::temp_directory_path() / "fuzz_peer_manager_XXXXXX").string();
        if (!mkdtemp(templ.data())) fuzz::Fail("mkdtemp");
        dir = templ;
        node::chain::ChainstateOptions opts;
        opts.data_dir = dir;
        opts.params = &consensus::Params(util::ChainType::REGTEST);
        opts.par = 1;
        opts.dbcache_bytes = 4u << 20;
        std::string error;
        chain = node::chain::Chainstate::Open(opts, error);
        fuzz::Check(chain != nullptr, "open chainstate", error);
        owner = std::make_unique<node::chain::ValidationOwner>(*chain);
        const consensus::Script op_true{std::vector<uint8_t>{0x51}};
        for (int i = 0; i < CHAIN_BLOCKS; ++i) {
            const auto r = owner
                               ->Submit([this, &op_true] {
                                   auto block = std::make_shared<consensus::Block>();
                                   auto res = chain->CreateNewBlock(op_true, {}, *block);
                                   if (!res.IsValid()) return res;
                                   while (!consensus::CheckProofOfWork(block->GetHash(), block->bits, opts_consensus()))
                                       ++block->nonce;
                                   return chain->ProcessNewBlock(block);
                               })
                               .get();
            fuzz::Check(r.IsValid(), "mine", r.ToString());
        }
        for (int h = 0; h <= chain->Height(); ++h) headers.push_back(chain->AtHeight(h)->GetBlockHeader());
        net::ConnmanOptions copts;
        copts.magic = consensus::Params(util::ChainType::REGTEST).message_start;
        connman = std::make_unique<net::ConnectionManager>(copts);
    }
    ~Env()
    {
        connman.reset();
        owner.reset();
        chain.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    static const consensus::ConsensusParams& opts_consensus()
    {
        return consensus::Params(util::ChainType::REGTEST).consensus;
    }
    /** Waits until every job queued on the owner so far (and its callback) has run. */
    void Drain() const
    {
        owner->Submit([] {}).get();
    }
};

Env& GetEnv()
{
    static Env env;
    return env;
}

template <typename M>
std::vector<uint8_t> Bytes(const M& m)
{
    return consensus::SerializeToBytes(m);
}

Uint256 PickHash(FuzzedDataProvider& fdp, const Env& env)
{
    if (fdp.ConsumeBool()) return env.headers[fdp.ConsumeIntegralInRange<size_t>(0, env.headers.size() - 1)].GetHash();
    Uint256 h;
    const auto raw = fdp.ConsumeBytes<uint8_t>(32);
    std::copy(raw.begin(), raw.end(), h.begin());
    return h;
}

/** A message built from the chain's real blocks, so the handler gets past decoding. */
std::pair<std::string, std::vector<uint8_t>> Structured(FuzzedDataProvider& fdp, const Env& env)
{
    switch (fdp.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: { // headers: a run of the real chain, maybe with one header changed
        net::HeadersMessage m;
        const size_t from = fdp.ConsumeIntegralInRange<size_t>(0, env.headers.size() - 1);
        const size_t n = fdp.ConsumeIntegralInRange<size_t>(1, env.headers.size() - from);
        m.headers.assign(env.headers.begin() + static_cast<std::ptrdiff_t>(from),
                         env.headers.begin() + static_cast<std::ptrdiff_t>(from + n));
        if (fdp.ConsumeBool()) m.headers.back().nonce ^= fdp.ConsumeIntegral<uint32_t>();
        if (fdp.ConsumeBool()) m.headers.back().time = fdp.ConsumeIntegral<uint32_t>();
        return {"headers", Bytes(m)};
    }
    case 1:
    case 2: { // getheaders / getblocks with a locator of real and random hashes
        net::GetHeadersMessage m;
        m.version = node::p2p::PROTOCOL_VERSION;
        const size_t n = fdp.ConsumeIntegralInRange<size_t>(0, 8);
        for (size_t i = 0; i < n; ++i) m.locator.push_back(PickHash(fdp, env));
        if (fdp.ConsumeBool()) m.hash_stop = PickHash(fdp, env);
        return {fdp.ConsumeBool() ? "getheaders" : "getblocks", Bytes(m)};
    }
    default: { // getdata / inv / notfound of real and random blocks
        net::InvMessage m;
        const size_t n = fdp.ConsumeIntegralInRange<size_t>(1, 8);
        for (size_t i = 0; i < n; ++i) {
            const uint32_t type = fdp.PickValueInArray<uint32_t>(
                {net::MSG_BLOCK, net::MSG_WITNESS_BLOCK, net::MSG_TX, net::MSG_CMPCT_BLOCK, 7});
            m.items.push_back({type, PickHash(fdp, env)});
        }
        return {fdp.PickValueInArray<std::string>({"getdata", "inv", "notfound"}), Bytes(m)};
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Env& env = GetEnv();
    FuzzedDataProvider fdp(data, size);
    node::p2p::PeerManager pm(*env.chain, *env.owner, *env.connman);
    std::vector<net::NodeId> peers;
    net::NodeId next_id = 0;
    const auto open = [&] {
        net::PeerAddress a;
        a.id = next_id++;
        a.type = fdp.PickValueInArray({net::ConnectionType::INBOUND, net::ConnectionType::OUTBOUND_FULL_RELAY,
                                       net::ConnectionType::MANUAL, net::ConnectionType::BLOCK_RELAY});
        a.addr = "127.0.0.1:" + std::to_string(1000 + a.id);
        a.addr_local = "127.0.0.1:18444";
        pm.InitializePeer(a);
        return a.id;
    };
    const int n_peers = fdp.ConsumeIntegralInRange<int>(1, 3);
    for (int i = 0; i < n_peers; ++i) peers.push_back(open());

    for (size_t step = 0; step < MAX_STEPS && fdp.remaining_bytes() > 0; ++step) {
        const size_t which = fdp.ConsumeIntegralInRange<size_t>(0, peers.size() - 1);
        const net::NodeId id = peers[which];
        switch (fdp.ConsumeIntegralInRange<int>(0, 9)) {
        case 0: { // a well-formed version, then verack
            net::VersionMessage v;
            v.version = fdp.ConsumeBool() ? node::p2p::PROTOCOL_VERSION : fdp.ConsumeIntegral<int32_t>();
            v.services = fdp.ConsumeIntegral<uint64_t>();
            v.nonce = fdp.ConsumeIntegral<uint64_t>();
            v.user_agent = "/fuzz:0.1/";
            v.start_height = fdp.ConsumeIntegralInRange<int32_t>(-1, 1000);
            v.relay = fdp.ConsumeBool();
            pm.ProcessMessage(id, "version", Bytes(v));
            if (fdp.ConsumeBool()) pm.ProcessMessage(id, "wtxidrelay", {});
            pm.ProcessMessage(id, "verack", {});
            break;
        }
        case 1:
        case 2: {
            auto [command, payload] = Structured(fdp, env);
            pm.ProcessMessage(id, command, std::move(payload));
            break;
        }
        case 3: pm.SendRoom(id); break;
        case 4: // the peer leaves and another comes
            pm.FinalizePeer(id, "fuzz reconnect");
            peers[which] = open();
            break;
        case 5: env.Drain(); break;
        default: {
            const std::string command{COMMANDS[fdp.ConsumeIntegralInRange<size_t>(0, COMMANDS.size() - 1)]};
            const size_t len = fdp.ConsumeIntegralInRange<size_t>(0, MAX_PAYLOAD);
            pm.ProcessMessage(id, command, fdp.ConsumeBytes<uint8_t>(len));
            break;
        }
        }
    }
    // Its jobs on the owner call the handler back: all of them run before the peers go.
    env.Drain();
    for (const net::NodeId id : peers) pm.FinalizePeer(id, "fuzz end");
    env.Drain();
    for (net::NodeId id = 0; id < next_id; ++id)
        fuzz::Check(!pm.GetPeerStats(id).has_value(), "a finalized peer is still known");
    pm.Stop();
    env.Drain();
    return 0;
}
