// minicash-cli -getinfo: Core's layout, progress bar and -color setting.
#include "node/cli/getinfo.h"

#include <catch2/catch.hpp>

#include <stdexcept>

using common::rpc::Json;
using node::cli::Colors;
using node::cli::FormatGetInfo;
using node::cli::GetInfoColors;

namespace {

Json Summary()
{
    Json r = Json::object();
    r["chain"] = "regtest";
    r["blocks"] = 3;
    r["headers"] = 3;
    r["verificationprogress"] = 1.0;
    r["difficulty"] = 4.656542373906925e-10;
    r["warnings"] = Json::array();
    return r;
}

} // namespace

TEST_CASE("-getinfo prints Core's chain section and leaves out what the node does not serve", "[node]")
{
    CHECK(FormatGetInfo(Summary(), Colors{}) == "Chain: regtest\n"
                                                "Blocks: 3\n"
                                                "Headers: 3\n"
                                                "Verification progress: 100.0000%\n"
                                                "Difficulty: 4.656542373906925e-10\n"
                                                "\n"
                                                "Warnings: (none)");
}

TEST_CASE("-getinfo prints Core's Network and Version lines from getnetworkinfo", "[node]")
{
    Json r = Summary();
    r["version"] = 10000;
    r["connections"] = Json{{"in", 0}, {"out", 2}, {"total", 2}};
    r["timeoffset"] = 0;
    r["networks"] =
        Json::array({Json{{"name", "onion"}, {"proxy", "127.0.0.1:9050"}}, Json{{"name", "ipv4"}, {"proxy", ""}}});
    r["relayfee"] = common::rpc::RawNumber("0.00001000");
    CHECK(FormatGetInfo(r, Colors{}) == "Chain: regtest\n"
                                        "Blocks: 3\n"
                                        "Headers: 3\n"
                                        "Verification progress: 100.0000%\n"
                                        "Difficulty: 4.656542373906925e-10\n"
                                        "\n"
                                        "Network: in 0, out 2, total 2\n"
                                        "Version: 10000\n"
                                        "Time offset (s): 0\n"
                                        "Proxies: 127.0.0.1:9050 (onion)\n"
                                        "Min tx relay fee rate (BTC/kvB): 0.00001000\n"
                                        "\n"
                                        "Warnings: (none)");
    // With colours: Chain blue, Network green, Warnings yellow, as bitcoin-cli.
    const std::string colored = FormatGetInfo(r, GetInfoColors(std::string("always"), false));
    CHECK(colored.starts_with("\x1B[34mChain: regtest\x1B[0m\n"));
    CHECK(colored.find("\n\x1B[32mNetwork: in 0, out 2, total 2\x1B[0m\n") != std::string::npos);
    CHECK(colored.ends_with("\x1B[33mWarnings:\x1B[0m (none)"));
}

TEST_CASE("-getinfo shows a progress bar below 99% verified", "[node]")
{
    Json r = Summary();
    r["verificationprogress"] = 0.5;
    std::string expected = "Verification progress: ";
    for (int i = 0; i < 10; ++i) expected += "\u2592";
    for (int i = 0; i < 10; ++i) expected += "\u2591";
    expected += " 50.0000%\n";
    CHECK(FormatGetInfo(r, Colors{}).find(expected) != std::string::npos);
    CHECK(node::cli::ProgressBar(1.5).empty());
}

TEST_CASE("-color is always, never or auto (a terminal only); anything else is refused", "[node]")
{
    CHECK(GetInfoColors(std::nullopt, true).blue == "\x1B[34m");
    CHECK(GetInfoColors(std::nullopt, false).blue.empty());
    CHECK(GetInfoColors(std::string("auto"), true).blue == "\x1B[34m");
    CHECK(GetInfoColors(std::string("auto"), false).blue.empty());
    CHECK(GetInfoColors(std::string("always"), false).reset == "\x1B[0m");
    CHECK(GetInfoColors(std::string("never"), true).blue.empty());
    try {
        GetInfoColors(std::string("sometimes"), true);
        FAIL("no error");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "Invalid value for -color option. Valid values: always, auto, never.");
    }
}

TEST_CASE("-getinfo prints the wallet section and every wallet's balance as Core", "[node]")
{
    Json r = Summary();
    r["has_wallet"] = true;
    r["walletname"] = "";
    r["keypoolsize"] = 4000;
    r["unlocked_until"] = 0;
    r["paytxfee"] = common::rpc::RawNumber("0.00000000");
    r["balances"] =
        Json{{"", common::rpc::RawNumber("0.00000000")}, {"savings", common::rpc::RawNumber("12345.67890000")}};
    CHECK(FormatGetInfo(r, Colors{}) == "Chain: regtest\n"
                                        "Blocks: 3\n"
                                        "Headers: 3\n"
                                        "Verification progress: 100.0000%\n"
                                        "Difficulty: 4.656542373906925e-10\n"
                                        "\n"
                                        "Wallet: \"\"\n"
                                        "Keypool size: 4000\n"
                                        "Unlocked until: 0\n"
                                        "Transaction fee rate (-paytxfee) (BTC/kvB): 0.00000000\n"
                                        "\n"
                                        "Balances\n"
                                        "    0.00000000 \"\"\n"
                                        "12345.67890000 savings\n"
                                        "\n"
                                        "Warnings: (none)");
}
