// The ban list: subnet parsing and matching, expiry on a fake clock, banlist.json in Core's
// format (round trip, a corrupt file), the bounded set of discouraged addresses.
#include "net/banman.h"
#include "net/subnet.h"
#include "util/fs_util.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

namespace {

net::NetAddress Addr(const char* s)
{
    auto a = net::ParseAddress(s);
    REQUIRE(a);
    return *a;
}

net::SubNet Net(const char* s)
{
    auto n = net::ParseSubNet(s);
    REQUIRE(n);
    return *n;
}

/** A fresh empty folder under the system's temporary directory, removed at the end. */
struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        std::random_device rd;
        path =
            std::filesystem::temp_directory_path() / ("minicash_banman_" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace

TEST_CASE("SubNet parses addresses, prefixes and netmasks as Core's LookupSubNet", "[net]")
{
    CHECK(Net("1.2.3.4").ToString() == "1.2.3.4/32");
    CHECK(Net("1.2.3.4/24").ToString() == "1.2.3.0/24");
    CHECK(Net("1.2.3.4/255.255.0.0").ToString() == "1.2.0.0/16");
    CHECK(Net("1.2.3.4/255.0.255.0").ToString() == "1.0.3.0/255.0.255.0");
    CHECK(Net("::1").ToString() == "::1/128");
    CHECK(Net("2001:4860::/32").ToString() == "2001:4860::/32");
    CHECK(Net("::ffff:1.2.3.4").ToString() == "1.2.3.4/32"); // IPv4-mapped is IPv4
    CHECK(Net("0.0.0.0/0").ToString() == "0.0.0.0/0");
    for (const char* bad : {"", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/abc", "::1/129",
                            "1.2.3.4/::", "example.com", "1.2.3.4/24/1", "0.0.0.0", "1.2.3.4/0024"}) {
        INFO(bad);
        CHECK_FALSE(net::ParseSubNet(bad));
    }
}

TEST_CASE("SubNet matches the addresses under its mask and no other network", "[net]")
{
    const net::SubNet n = Net("10.1.0.0/16");
    CHECK(n.Match(Addr("10.1.0.1")));
    CHECK(n.Match(Addr("10.1.255.255")));
    CHECK_FALSE(n.Match(Addr("10.2.0.1")));
    CHECK_FALSE(n.Match(Addr("::ffff:10.2.0.1")));
    CHECK(n.Match(Addr("::ffff:10.1.2.3")));
    CHECK_FALSE(n.Match(Addr("2001:db8::1")));
    const net::SubNet one(Addr("127.0.0.2"));
    CHECK(one.Match(Addr("127.0.0.2")));
    CHECK_FALSE(one.Match(Addr("127.0.0.3")));
    const net::SubNet v6 = Net("2001:4860::/32");
    CHECK(v6.Match(Addr("2001:4860:1::1")));
    CHECK_FALSE(v6.Match(Addr("2001:4861::1")));
    CHECK_FALSE(v6.Match(Addr("1.2.3.4")));
    const net::SubNet all = Net("0.0.0.0/0");
    CHECK(all.Match(Addr("8.8.8.8")));
    CHECK_FALSE(all.Match(Addr("::2")));
    const net::SubNet odd = Net("1.0.3.0/255.0.255.0");
    CHECK(odd.Match(Addr("1.77.3.99")));
    CHECK_FALSE(odd.Match(Addr("1.77.4.99")));
    CHECK_FALSE(net::SubNet().Match(Addr("1.2.3.4")));
}

TEST_CASE("BanMan bans subnets until they expire on its clock", "[net]")
{
    std::atomic<int64_t> now{1'000'000};
    net::BanMan b("", net::DEFAULT_BANTIME_SECONDS, [&] { return now.load(); });
    b.Ban(Net("1.2.3.0/24"), 100);
    b.Ban(net::SubNet(Addr("5.6.7.8"))); // default ban time
    CHECK(b.IsBanned(Addr("1.2.3.200")));
    CHECK_FALSE(b.IsBanned(Addr("1.2.4.1")));
    CHECK(b.IsBanned(Net("1.2.3.0/24")));
    CHECK_FALSE(b.IsBanned(Net("1.2.3.0/25"))); // the exact subnet only
    CHECK(b.IsBanned(Addr("5.6.7.8")));
    REQUIRE(b.GetBanned().size() == 2);
    CHECK(b.GetBanned().at(Net("5.6.7.8")).ban_until == 1'000'000 + 86400);

    now += 99;
    CHECK(b.IsBanned(Addr("1.2.3.4")));
    now += 1; // banned_until is exclusive, as Core's "now < nBanUntil"
    CHECK_FALSE(b.IsBanned(Addr("1.2.3.4")));
    CHECK(b.GetBanned().size() == 1); // swept

    // Absolute times; a ban is only ever lengthened.
    b.Ban(Net("9.9.9.9"), 2'000'000, true);
    CHECK(b.GetBanned().at(Net("9.9.9.9")).ban_until == 2'000'000);
    b.Ban(Net("9.9.9.9"), 10);
    CHECK(b.GetBanned().at(Net("9.9.9.9")).ban_until == 2'000'000);

    CHECK(b.Unban(Net("9.9.9.9")));
    CHECK_FALSE(b.Unban(Net("9.9.9.9")));
    CHECK_FALSE(b.IsBanned(Addr("9.9.9.9")));
    b.ClearBanned();
    CHECK(b.GetBanned().empty());
    CHECK_FALSE(b.IsBanned(Addr("5.6.7.8")));
}

TEST_CASE("banlist.json keeps bans across restarts in Core's format", "[net]")
{
    TempDir dir;
    const auto file = dir.path / "banlist.json";
    std::atomic<int64_t> now{1'700'000'000};
    const auto clock = [&] { return now.load(); };
    {
        net::BanMan b(file, net::DEFAULT_BANTIME_SECONDS, clock);
        b.Ban(Net("127.0.0.2"), 1000);
        b.Ban(Net("10.0.0.0/8"), 2000);
        b.Ban(Net("2001:4860::/32"), 3000);
        REQUIRE(std::filesystem::exists(file)); // written at once, not only at shutdown
    }
    // Core's shape, readable by Core.
    const auto j = nlohmann::json::parse(std::ifstream(file));
    REQUIRE(j["banned_nets"].size() == 3);
    for (const auto& e : j["banned_nets"]) {
        CHECK(e["version"] == 1);
        CHECK(e["ban_created"] == 1'700'000'000);
    }
    CHECK(j["banned_nets"][0]["address"].is_string());

    now += 1500; // the first ban expired while the node was down
    net::BanMan again(file, net::DEFAULT_BANTIME_SECONDS, clock);
    const net::BanMap bans = again.GetBanned();
    REQUIRE(bans.size() == 2);
    CHECK(bans.at(Net("10.0.0.0/8")) == net::BanEntry{1'700'000'000, 1'700'002'000});
    CHECK(again.IsBanned(Addr("2001:4860::5")));
    CHECK_FALSE(again.IsBanned(Addr("127.0.0.2")));
}

TEST_CASE("A corrupt banlist.json starts an empty list and is rewritten", "[net]")
{
    TempDir dir;
    const auto file = dir.path / "banlist.json";
    for (const char* text :
         {"{not json", "[]", R"({"banned_nets": 5})",
          R"({"banned_nets":[{"version":1,"ban_created":"x","banned_until":1,"address":"1.2.3.4"}]})"}) {
        INFO(text);
        std::ofstream(file) << text;
        {
            net::BanMan b(file);
            CHECK(b.GetBanned().empty());
        }
        // Replaced by a valid (empty) list at shutdown, as Core's "Recreating the banlist database".
        const auto back = net::BanMapFromJson(*util::ReadFileToString(file));
        REQUIRE(back);
        CHECK(back->empty());
    }
    // Entries Core would drop are dropped one by one; the rest is kept.
    const auto parsed =
        net::BanMapFromJson(R"({"banned_nets":[{"version":2,"ban_created":1,"banned_until":2,"address":"1.2.3.4"},)"
                            R"({"version":1,"ban_created":1,"banned_until":2,"address":"not an address"},)"
                            R"({"version":1,"ban_created":1,"banned_until":2,"address":"1.2.3.5/32"}]})");
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 1);
    CHECK(parsed->begin()->first.ToString() == "1.2.3.5/32");
}

TEST_CASE("Discouraged addresses are remembered up to a bound, oldest forgotten first", "[net]")
{
    net::BanMan b("");
    b.Discourage(Addr("1.1.1.1"));
    CHECK(b.IsDiscouraged(Addr("1.1.1.1")));
    CHECK_FALSE(b.IsDiscouraged(Addr("1.1.1.2")));
    CHECK_FALSE(b.IsBanned(Addr("1.1.1.1"))); // discouraged is not banned
    for (uint32_t i = 0; i < net::MAX_DISCOURAGED; ++i) {
        b.Discourage(net::NetAddress::FromIPv4(
            {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}));
    }
    CHECK_FALSE(b.IsDiscouraged(Addr("1.1.1.1"))); // the oldest of MAX_DISCOURAGED + 1
    CHECK(b.IsDiscouraged(Addr("10.0.0.0")));
    b.Discourage(Addr("1.1.1.3"));
    CHECK_FALSE(b.IsDiscouraged(Addr("10.0.0.0")));
    CHECK(b.IsDiscouraged(Addr("10.0.0.2")));
    b.ClearBanned(); // Core's clearbanned leaves discouragement alone
    CHECK(b.IsDiscouraged(Addr("10.0.0.2")));
}
