// -rpcallowip subnets and -rpcbind/-rpcport parsing, checked against Bitcoin Core's rules
// (netbase LookupSubNet, CSubNet::Match, SplitHostPort, HTTPBindAddresses, CheckHostPortOptions).
#include "node/http/http_options.h"
#include "util/args.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace node::http;

namespace {

struct Built {
    bool ok{false};
    HttpServerOptions options;
    std::vector<std::string> warnings;
    std::string error;
};

Built Build(std::vector<std::string> argv_in)
{
    util::ArgsManager args;
    SetupRpcServerOptions(args);
    argv_in.insert(argv_in.begin(), "minicashd");
    std::vector<const char*> argv;
    for (const auto& a : argv_in) argv.push_back(a.c_str());
    Built b;
    REQUIRE(args.ParseParameters(static_cast<int>(argv.size()), argv.data(), b.error));
    b.ok = HttpServerOptionsFromArgs(args, 18443, b.options, b.warnings, b.error);
    return b;
}

using Binds = std::vector<std::pair<std::string, uint16_t>>;

} // namespace

TEST_CASE("-rpcallowip accepts Core's forms: single IP, CIDR, netmask, IPv6", "[rpc]")
{
    const auto one = Subnet::Parse("1.2.3.4");
    REQUIRE(one);
    CHECK(one->Contains("1.2.3.4"));
    CHECK_FALSE(one->Contains("1.2.3.5"));

    const auto cidr = Subnet::Parse("192.168.1.0/24");
    REQUIRE(cidr);
    CHECK(cidr->Contains("192.168.1.77"));
    CHECK(cidr->Contains("::ffff:192.168.1.77")); // an IPv4-mapped peer is IPv4
    CHECK_FALSE(cidr->Contains("192.168.2.1"));
    // The network is masked: host bits in the written address do not matter.
    CHECK(Subnet::Parse("192.168.1.99/24")->Contains("192.168.1.1"));

    const auto mask = Subnet::Parse("10.0.0.0/255.0.0.0");
    REQUIRE(mask);
    CHECK(mask->Contains("10.9.8.7"));
    CHECK_FALSE(mask->Contains("11.0.0.1"));
    CHECK(Subnet::Parse("1.2.3.4/0.0.0.0")->Contains("200.1.1.1"));
    CHECK(Subnet::Parse("1.2.3.4/32")->Contains("1.2.3.4"));
    CHECK_FALSE(Subnet::Parse("1.2.3.4/32")->Contains("1.2.3.5"));

    const auto v6 = Subnet::Parse("fd00::/8");
    REQUIRE(v6);
    CHECK(v6->Contains("fd12:3456::1"));
    CHECK_FALSE(v6->Contains("fe80::1"));
    CHECK(Subnet::Parse("::1")->Contains("::1"));
    CHECK(Subnet::Parse("[2a01:4f8::1]")->Contains("2a01:4f8::1"));
    CHECK(Subnet::Parse("2a01:4f8::/ffff:ffff::")->Contains("2a01:4f8:1::1"));
    CHECK(Subnet::Parse("2a01:4f8::/128")->Contains("2a01:4f8::"));
    // The last '/' separates the mask, as Core's find_last_of.
    CHECK_FALSE(Subnet::Parse("1.2.3.4/24/24"));
    // An IPv4-mapped address written as IPv6 is IPv4: /32 fits it, /128 does not (as Core).
    CHECK(Subnet::Parse("::ffff:1.2.3.4")->Contains("1.2.3.4"));
    CHECK(Subnet::Parse("::ffff:1.2.3.0/24")->Contains("1.2.3.9"));
    CHECK_FALSE(Subnet::Parse("::ffff:1.2.3.4/128"));
}

TEST_CASE("An IPv6 subnet never admits an IPv4 client and an IPv4 subnet never an IPv6 one", "[rpc]")
{
    const auto all6 = Subnet::Parse("::/0");
    REQUIRE(all6);
    CHECK(all6->Contains("2a01:4f8::1"));
    CHECK(all6->Contains("::1"));
    CHECK_FALSE(all6->Contains("1.2.3.4"));
    CHECK_FALSE(all6->Contains("::ffff:1.2.3.4"));
    CHECK_FALSE(Subnet::Parse("::ffff:0:0/96")); // IPv4 with /96: beyond 32 bits, invalid as in Core

    const auto all4 = Subnet::Parse("0.0.0.0/0");
    REQUIRE(all4);
    CHECK(all4->Contains("8.8.8.8"));
    CHECK(all4->Contains("::ffff:8.8.8.8"));
    CHECK_FALSE(all4->Contains("2a01:4f8::1"));
    CHECK_FALSE(all4->Contains("::"));
    CHECK_FALSE(Subnet::Parse("0.0.0.0/0")->Contains("::1"));
}

TEST_CASE("Addresses Core deems invalid match no subnet", "[rpc]")
{
    CHECK_FALSE(Subnet::Parse("0.0.0.0/0")->Contains("0.0.0.0"));
    CHECK_FALSE(Subnet::Parse("0.0.0.0/0")->Contains("255.255.255.255"));
    CHECK_FALSE(Subnet::Parse("::/0")->Contains("::"));
    CHECK_FALSE(Subnet::Parse("::/0")->Contains("2001:db8::1")); // documentation range (RFC 3849)
    CHECK(Subnet::Parse("::/0")->Contains("2001:db9::1"));
    CHECK_FALSE(Subnet::Parse("::/0")->Contains("not an address"));
}

TEST_CASE("-rpcallowip refuses what Core's LookupSubNet refuses", "[rpc]")
{
    for (const char* bad :
         {"", "nonsense", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+-1", "1.2.3.4/", "1.2.3.4/x", "1.2.3.4/255.0.255.0",
          "1.2.3.4/ffff::", "::1/255.255.255.0", "::1/129", "::1/ffff::ffff", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/24 ",
          "1.2.3.4:80", "[1.2.3.4", "example.com", "1.2.3.4/256"}) {
        INFO(bad);
        CHECK_FALSE(Subnet::Parse(bad));
    }
    const auto b = Build({"-rpcallowip=1.2.3.4/33"});
    CHECK_FALSE(b.ok);
    CHECK(b.error == "Invalid -rpcallowip subnet specification: 1.2.3.4/33. Valid values are a single IP (e.g. "
                     "1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR (e.g. 1.2.3.4/24), "
                     "all ipv4 (0.0.0.0/0), or all ipv6 (::/0).");
}

TEST_CASE("SplitHostPort splits host and port as Core's", "[rpc]")
{
    struct Case {
        const char* in;
        bool valid;
        const char* host;
        uint16_t port; // 7 = the default was kept
    };
    for (const Case& c : std::vector<Case>{
             {"127.0.0.1", true, "127.0.0.1", 7},
             {"127.0.0.1:8332", true, "127.0.0.1", 8332},
             {"127.0.0.1:+8332", true, "127.0.0.1", 8332},
             {"[::1]:8332", true, "::1", 8332},
             {"[::1]", true, "::1", 7},
             {"::1", true, "::1", 7},           // several colons without brackets: no port
             {"::1:8332", true, "::1:8332", 7}, // likewise
             {"localhost:1", true, "localhost", 1},
             {":8332", true, "", 8332},
             {"127.0.0.1:0", false, "", 0},
             {"127.0.0.1:65536", false, "", 0},
             {"127.0.0.1:-1", false, "", 0},
             {"127.0.0.1:+-1", false, "", 0},
             {"127.0.0.1:", false, "", 0},
             {"127.0.0.1:x", false, "", 0},
             {"[::1]:0", false, "", 0},
         }) {
        INFO(c.in);
        uint16_t port = 7;
        std::string host;
        CHECK(SplitHostPort(c.in, port, host) == c.valid);
        if (c.valid) {
            CHECK(host == c.host);
            CHECK(port == c.port);
        }
    }
}

TEST_CASE("-rpcbind is used only with -rpcallowip, with its own port or -rpcport", "[rpc]")
{
    auto b = Build({});
    REQUIRE(b.ok);
    CHECK(b.options.bind == Binds{{"::1", 18443}, {"127.0.0.1", 18443}});
    CHECK_FALSE(b.options.bind_explicit);
    CHECK(b.warnings.empty());

    b = Build({"-rpcport=8000"});
    REQUIRE(b.ok);
    CHECK(b.options.bind == Binds{{"::1", 8000}, {"127.0.0.1", 8000}});

    // -rpcbind alone is ignored with Core's warning: only localhost is bound.
    b = Build({"-rpcbind=0.0.0.0:9000"});
    REQUIRE(b.ok);
    CHECK(b.options.bind == Binds{{"::1", 18443}, {"127.0.0.1", 18443}});
    CHECK(b.warnings == std::vector<std::string>{"option -rpcbind was ignored because -rpcallowip was not specified, "
                                                 "refusing to allow everyone to connect"});

    b = Build({"-rpcallowip=10.0.0.0/8"});
    REQUIRE(b.ok);
    CHECK(b.options.bind == Binds{{"::1", 18443}, {"127.0.0.1", 18443}});
    CHECK(b.warnings == std::vector<std::string>{"option -rpcallowip was specified without -rpcbind; this doesn't "
                                                 "usually make sense"});

    b = Build({"-rpcallowip=10.0.0.0/8", "-rpcport=8000", "-rpcbind=10.1.2.3", "-rpcbind=[fd00::1]:9001",
               "-rpcbind=0.0.0.0:9002"});
    REQUIRE(b.ok);
    CHECK(b.options.bind == Binds{{"10.1.2.3", 8000}, {"fd00::1", 9001}, {"0.0.0.0", 9002}});
    CHECK(b.options.bind_explicit);
    CHECK(b.warnings.empty());
    REQUIRE(b.options.allow.size() == 1);
    CHECK(b.options.allow[0].Contains("10.200.0.1"));
}

TEST_CASE("A bad port in -rpcbind or -rpcport fails with Core's message, even without -rpcallowip", "[rpc]")
{
    auto b = Build({"-rpcbind=127.0.0.1:0"});
    CHECK_FALSE(b.ok);
    CHECK(b.error == "Invalid port specified in -rpcbind: '127.0.0.1:0'");
    b = Build({"-rpcallowip=1.2.3.4", "-rpcbind=[::1]:65536"});
    CHECK_FALSE(b.ok);
    CHECK(b.error == "Invalid port specified in -rpcbind: '[::1]:65536'");
    b = Build({"-rpcport=0"});
    CHECK_FALSE(b.ok);
    CHECK(b.error == "Invalid port specified in -rpcport: '0'");
    b = Build({"-rpcport=70000"});
    CHECK_FALSE(b.ok);
    CHECK(b.error == "Invalid port specified in -rpcport: '70000'");
    b = Build({"-rpcport=+8000"}); // Core's ParseUInt16 takes a leading '+'
    REQUIRE(b.ok);
    CHECK(b.options.bind[0].second == 8000);
}
