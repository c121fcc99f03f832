// -whitebind / -whitelist parsing with Core's permission names, implicit set and errors.
#include "net/net_permissions.h"

#include <catch2/catch.hpp>

using net::NetPermissionFlags;

namespace {
std::vector<std::string> Names(NetPermissionFlags f) { return net::PermissionStrings(f); }
} // namespace

TEST_CASE("Permission names parse to Core's flags and print in Core's order", "[net]")
{
    NetPermissionFlags f{};
    size_t offset = 0;
    std::string error;
    REQUIRE(net::ParsePermissionFlags("noban,relay@1.2.3.4", f, offset, error));
    CHECK(offset == 12);
    CHECK(Names(f) == std::vector<std::string>{"noban", "relay", "download"}); // noban implies download
    REQUIRE(net::ParsePermissionFlags("forcerelay@x", f, offset, error));
    CHECK(Names(f) == std::vector<std::string>{"forcerelay", "relay"});
    REQUIRE(net::ParsePermissionFlags("bloom,,mempool,addr,@x", f, offset, error)); // empty entries allowed
    CHECK(Names(f) == std::vector<std::string>{"bloomfilter", "mempool", "addr"});
    REQUIRE(net::ParsePermissionFlags("all@x", f, offset, error));
    CHECK(Names(f) ==
          std::vector<std::string>{"bloomfilter", "noban", "forcerelay", "relay", "mempool", "download", "addr"});
    REQUIRE(net::ParsePermissionFlags("@x", f, offset, error));
    CHECK(f == NetPermissionFlags::NONE);
    CHECK(offset == 1);
    // No '@': the implicit default set.
    REQUIRE(net::ParsePermissionFlags("1.2.3.4", f, offset, error));
    CHECK(offset == 0);
    CHECK(Names(net::ApplyImplicit(f)) == std::vector<std::string>{"noban", "relay", "mempool", "download"});
    CHECK(net::ApplyImplicit(NetPermissionFlags::RELAY) == NetPermissionFlags::RELAY);

    CHECK_FALSE(net::ParsePermissionFlags("noban,bogus@1.2.3.4", f, offset, error));
    CHECK(error == "Invalid P2P permission: 'bogus'");
}

TEST_CASE("-whitebind and -whitelist are parsed with Core's errors", "[net]")
{
    std::string error;
    net::WhitebindPermissions wb;
    REQUIRE(net::ParseWhitebind("noban@127.0.0.1:18555", wb, error));
    CHECK(wb.service.ToString() == "127.0.0.1:18555");
    CHECK(net::HasPermission(wb.flags, NetPermissionFlags::NOBAN));
    REQUIRE(net::ParseWhitebind("[::1]:18555", wb, error));
    CHECK(net::HasPermission(wb.flags, NetPermissionFlags::IMPLICIT));
    CHECK_FALSE(net::ParseWhitebind("noban@127.0.0.1", wb, error));
    CHECK(error == "Need to specify a port with -whitebind: '127.0.0.1'");
    CHECK_FALSE(net::ParseWhitebind("noban@nowhere.invalid:1", wb, error));
    CHECK(error == "Cannot resolve -whitebind address: 'nowhere.invalid:1'");
    CHECK_FALSE(net::ParseWhitebind("nope@127.0.0.1:1", wb, error));
    CHECK(error == "Invalid P2P permission: 'nope'");

    net::WhitelistPermissions wl;
    REQUIRE(net::ParseWhitelist("download@127.0.0.0/8", wl, error));
    CHECK(wl.subnet.ToString() == "127.0.0.0/8");
    CHECK(wl.flags == NetPermissionFlags::DOWNLOAD);
    CHECK(wl.subnet.Match(*net::ParseAddress("127.0.0.9")));
    REQUIRE(net::ParseWhitelist("1.2.3.4", wl, error));
    CHECK(wl.subnet.ToString() == "1.2.3.4/32");
    CHECK_FALSE(net::ParseWhitelist("noban@1.2.3.4/40", wl, error));
    CHECK(error == "Invalid netmask specified in -whitelist: '1.2.3.4/40'");
}
