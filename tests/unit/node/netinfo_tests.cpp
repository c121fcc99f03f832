// minicash-cli -netinfo: bitcoin-cli's dashboard layout, levels, outonly and argument errors.
#include "node/cli/netinfo.h"

#include <catch2/catch.hpp>

#include <stdexcept>

using common::rpc::Json;
using node::cli::FormatNetinfo;
using node::cli::NetinfoOptions;
using node::cli::ParseNetinfoArgs;

namespace {

constexpr int64_t NOW = 1'700'000'000;

Json NetworkInfo()
{
    Json n = Json::object();
    n["protocolversion"] = 70016;
    n["subversion"] = "/minicash:0.1.0/";
    n["networks"] = Json::array({{{"name", "ipv4"}, {"reachable", true}},
                                 {{"name", "ipv6"}, {"reachable", true}},
                                 {{"name", "onion"}, {"reachable", false}}});
    n["localaddresses"] = Json::array();
    return n;
}

Json Peer(int id, bool inbound, const std::string& type, const std::string& addr, double minping)
{
    Json p = Json::object();
    p["id"] = id;
    p["addr"] = addr;
    p["network"] = "ipv4";
    p["inbound"] = inbound;
    p["connection_type"] = type;
    p["relaytxes"] = false;
    p["conntime"] = NOW - 125; // 2 minutes
    p["lastsend"] = NOW - 3;
    p["lastrecv"] = NOW - 4;
    p["minping"] = minping;
    p["pingtime"] = minping * 2;
    p["version"] = 70016;
    p["subver"] = "/minicash:0.1.0/";
    p["transport_protocol_type"] = "v1";
    return p;
}

Json Peers()
{
    return Json::array({Peer(0, false, "manual", "127.0.0.1:18444", 0.002),
                        Peer(7, true, "inbound", "127.0.0.1:50000", 0.0005),
                        Peer(3, false, "block-relay-only", "10.0.0.1:8333", 0.001)});
}

} // namespace

TEST_CASE("-netinfo level 0: Core's header, the counts table and local addresses", "[node]")
{
    const std::string out = FormatNetinfo(Peers(), NetworkInfo(), NetinfoOptions{}, NOW, "v0.1.0", " regtest");
    CHECK(out == "Minicash client v0.1.0 regtest - server 70016/minicash:0.1.0/\n"
                 "\n"
                 "         ipv4    ipv6   total   block  manual\n"
                 "in          1       0       1\n"
                 "out         2       0       2       1       1\n"
                 "total       3       0       3\n"
                 "\n"
                 "Local addresses: n/a\n");
    // No manual peer: no manual column; an unreachable network with peers gets its short name.
    Json peers = Json::array({Peer(1, true, "inbound", "127.0.0.1:1", 0.1)});
    peers[0]["network"] = "not_publicly_routable";
    Json net = NetworkInfo();
    net["localaddresses"] = Json::array({{{"address", "1.2.3.4"}, {"port", 8333}, {"score", 4}}});
    CHECK(FormatNetinfo(peers, net, NetinfoOptions{}, NOW, "v0.1.0", "") ==
          "Minicash client v0.1.0 - server 70016/minicash:0.1.0/\n"
          "\n"
          "         ipv4    ipv6     npr   total   block\n"
          "in          0       0       1       1\n"
          "out         0       0       0       0       0\n"
          "total       0       0       1       1\n"
          "\n"
          "Local addresses\n"
          "1.2.3.4     port   8333    score      4");
}

TEST_CASE("-netinfo levels 1-4: the peers table sorted by direction then ping, address and version columns", "[node]")
{
    const std::string l1 = FormatNetinfo(Peers(), NetworkInfo(), NetinfoOptions{1, false}, NOW, "v0.1.0", " regtest");
    const std::string table1 = "<->   type   net  v  mping   ping send recv  txn  blk  hb addrp addrl  age id \n"
                               " in         ipv4  1      1      1    3    4    *              .          2  7 \n"
                               "out  block  ipv4  1      1      2    3    4    *              .          2  3 \n"
                               "out manual  ipv4  1      2      4    3    4    *              .          2  0 \n"
                               "                        ms     ms  sec  sec  min  min                  min\n\n";
    CHECK(l1.find(table1) != std::string::npos);
    const std::string l4 = FormatNetinfo(Peers(), NetworkInfo(), NetinfoOptions{4, false}, NOW, "v0.1.0", "");
    CHECK(l4.find(" age id address         version\n") != std::string::npos);
    CHECK(l4.find("  2  7 127.0.0.1:50000 70016/minicash:0.1.0/\n") != std::string::npos);
    const std::string l2 = FormatNetinfo(Peers(), NetworkInfo(), NetinfoOptions{2, false}, NOW, "v0.1.0", "");
    CHECK(l2.find("  2  3 10.0.0.1:8333   \n") != std::string::npos);
    CHECK(l2.find("version") == std::string::npos);
    const std::string l3 = FormatNetinfo(Peers(), NetworkInfo(), NetinfoOptions{3, false}, NOW, "v0.1.0", "");
    CHECK(l3.find("  2  0 70016/minicash:0.1.0/\n") != std::string::npos);
    CHECK(l3.find("127.0.0.1") == std::string::npos);
    // outonly: the inbound peer leaves the listing but not the counts.
    const std::string out = FormatNetinfo(Peers(), NetworkInfo(), NetinfoOptions{1, true}, NOW, "v0.1.0", "");
    CHECK(out.find(" in ") == std::string::npos);
    CHECK(out.find("out  block") != std::string::npos);
    CHECK(out.find("in          1       0       1") != std::string::npos);
}

TEST_CASE("-netinfo arguments: levels above 4 mean 4, outonly only above level 0, Core's errors", "[node]")
{
    CHECK(ParseNetinfoArgs({}).level == 0);
    CHECK(ParseNetinfoArgs({"3"}).level == 3);
    CHECK(ParseNetinfoArgs({"255"}).level == 4);
    CHECK(ParseNetinfoArgs({"2", "o"}).outonly);
    CHECK(ParseNetinfoArgs({"2", "outonly"}).outonly);
    CHECK_THROWS_WITH(ParseNetinfoArgs({"256"}), Catch::StartsWith("invalid -netinfo level argument: 256"));
    CHECK_THROWS_WITH(ParseNetinfoArgs({"-1"}), Catch::StartsWith("invalid -netinfo level argument: -1"));
    CHECK_THROWS_WITH(ParseNetinfoArgs({"x"}), Catch::StartsWith("invalid -netinfo level argument: x"));
    CHECK_THROWS_WITH(ParseNetinfoArgs({"1", "in"}), Catch::StartsWith("invalid -netinfo outonly argument: in\n"));
    CHECK_THROWS_WITH(ParseNetinfoArgs({"0", "o"}), Catch::Contains("only valid for a level greater than 0"));
}
