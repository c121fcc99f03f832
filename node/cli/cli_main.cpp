// minicash-cli: sends one JSON-RPC call (or the -getinfo batch) to minicashd and prints the
// result the way bitcoin-cli does: strings raw, other values as 2-space JSON, errors on
// stderr as "error code: N\nerror message:\nMSG" with exit status abs(N).
#include "consensus/params.h"
#include "node/cli/getinfo.h"
#include "node/cli/netinfo.h"
#include "common/rpc/client.h"
#include "common/rpc/cookie.h"
#include "node/cli/http_client.h"
#include "common/rpc/json.h"
#include "common/rpc/protocol.h"
#include "util/args.h"
#include "util/fs_util.h"
#include "util/strencodings.h"
#include "util/version.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using common::rpc::Json;
using util::ArgsManager;
using util::OptionsCategory;

constexpr int DEFAULT_HTTP_CLIENT_TIMEOUT = 900;
constexpr int DEFAULT_WAIT_CLIENT_TIMEOUT = 0;
constexpr const char* DEFAULT_RPCCONNECT = "127.0.0.1";
const std::string CLIENT_VERSION = "v" + util::FormatVersion();

/** A failure to reach the server: retried with -rpcwait. */
struct ConnectionFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void SetupCliArgs(ArgsManager& args)
{
    util::SetupHelpOptions(args);
    util::SetupChainParamsOptions(args);
    const unsigned any = ArgsManager::ALLOW_ANY;
    args.AddArg("-version", "Print version and exit", any, OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>",
                "Specify configuration file. Relative paths will be prefixed by datadir location. "
                "(default: minicash.conf)",
                any, OptionsCategory::OPTIONS);
    args.AddArg("-datadir=<dir>", "Specify data directory", any, OptionsCategory::OPTIONS);
    args.AddArg("-getinfo",
                "Get general information from the remote server. Note that unlike server-side RPC calls, "
                "the output of -getinfo is the result of multiple non-atomic requests. Some entries in the output "
                "may represent results from different states (e.g. wallet balance may be as of a different block "
                "from the chain state reported)",
                any, OptionsCategory::CLI_COMMANDS);
    args.AddArg("-netinfo",
                "Get network peer connection information from the remote server. An optional argument from 0 to 4 "
                "can be passed for different peers listings (default: 0). If a non-zero value is passed, an "
                "additional \"outonly\" (or \"o\") argument can be passed to see outbound peers only. Pass "
                "\"help\" (or \"h\") for detailed help documentation.",
                any, OptionsCategory::CLI_COMMANDS);
    args.AddArg("-color=<when>",
                "Color setting for CLI output (default: auto). Valid values: always, auto (add "
                "color codes when standard output is connected to a terminal and OS is not WIN32), never. Only "
                "applies to the output of -getinfo.",
                any | ArgsManager::DISALLOW_NEGATION, OptionsCategory::OPTIONS);
    args.AddArg("-named", "Pass named instead of positional arguments (default: false)", any, OptionsCategory::OPTIONS);
    args.AddArg("-rpcclienttimeout=<n>", "Timeout in seconds during HTTP requests, or 0 for no timeout. (default: 900)",
                any, OptionsCategory::OPTIONS);
    args.AddArg("-rpcconnect=<ip>", "Send commands to node running on <ip> (default: 127.0.0.1)", any,
                OptionsCategory::OPTIONS);
    args.AddArg("-rpccookiefile=<loc>",
                "Location of the auth cookie. Relative paths will be prefixed by a "
                "net-specific datadir location. (default: data dir)",
                any, OptionsCategory::OPTIONS);
    args.AddArg("-rpcpassword=<pw>", "Password for JSON-RPC connections", any | ArgsManager::SENSITIVE,
                OptionsCategory::OPTIONS);
    args.AddArg("-rpcport=<port>",
                "Connect to JSON-RPC on <port> (default: 8332, testnet3: 18332, testnet4: 48332, "
                "signet: 38332, regtest: 18443)",
                any | ArgsManager::NETWORK_ONLY, OptionsCategory::OPTIONS);
    args.AddArg("-rpcuser=<user>", "Username for JSON-RPC connections", any | ArgsManager::SENSITIVE,
                OptionsCategory::OPTIONS);
    args.AddArg("-rpcwait", "Wait for RPC server to start", any, OptionsCategory::OPTIONS);
    args.AddArg("-rpcwaittimeout=<n>",
                "Timeout in seconds to wait for the RPC server to start, or 0 for no timeout. "
                "(default: 0)",
                any | ArgsManager::DISALLOW_NEGATION, OptionsCategory::OPTIONS);
    args.AddArg("-rpcwallet=<walletname>",
                "Send RPC for non-default wallet on RPC server (needs to exactly match "
                "corresponding -wallet option passed to minicashd). This changes the RPC endpoint used, e.g. "
                "http://127.0.0.1:8332/wallet/<walletname>",
                any, OptionsCategory::OPTIONS);
    args.AddArg("-stdin",
                "Read extra arguments from standard input, one per line until EOF/Ctrl-D (recommended for "
                "sensitive information such as passphrases). When combined with -stdinrpcpass, the first line from "
                "standard input is used for the RPC password.",
                any, OptionsCategory::OPTIONS);
    args.AddArg("-stdinrpcpass",
                "Read RPC password from standard input as a single line. When combined with -stdin, "
                "the first line from standard input is used for the RPC password. When combined with "
                "-stdinwalletpassphrase, -stdinrpcpass consumes the first line, and -stdinwalletpassphrase consumes "
                "the second.",
                any, OptionsCategory::OPTIONS);
}

std::string UriEncode(const std::string& s)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/** Sends one JSON-RPC body and returns the parsed reply (object or array). */
Json CallRpc(const ArgsManager& args, const Json& request, const std::optional<std::string>& wallet)
{
    const consensus::ChainType chain = args.GetChainType();
    uint16_t port = consensus::Params(chain).default_rpc_port;
    std::string host;
    const std::string connect = args.GetArg("-rpcconnect", DEFAULT_RPCCONNECT);
    if (!util::SplitHostPort(connect, port, host)) {
        throw std::runtime_error("Invalid port provided in -rpcconnect: " + connect);
    }
    if (auto p = args.GetArg("-rpcport")) {
        const int64_t n = util::ParseIntLenient(*p);
        if (n < 1 || n > 65535) throw std::runtime_error("Invalid port provided in -rpcport: " + *p);
        port = static_cast<uint16_t>(n);
    }
    const int64_t timeout_s = args.GetIntArg("-rpcclienttimeout", DEFAULT_HTTP_CLIENT_TIMEOUT);
    const std::chrono::milliseconds timeout{timeout_s > 0 ? timeout_s * 1000 : 0};

    // Credentials: -rpcpassword, else the cookie of the chain's data directory.
    std::string user_pass;
    bool no_cookie = false;
    std::filesystem::path conf_path; // named in the no-credentials error, absolute as Core's GetConfigFilePath
    if (args.GetArg("-rpcpassword", "").empty()) {
        std::filesystem::path base;
        std::string error;
        if (!util::GetDataDirBase(args, base, error)) throw std::runtime_error(error);
        const std::string sub = util::ChainDataDirName(chain);
        const auto cookie =
            common::rpc::ReadAuthCookie(common::rpc::GetAuthCookieFile(args, sub.empty() ? base : base / sub));
        if (cookie) {
            user_pass = *cookie;
        } else {
            no_cookie = true;
            std::error_code ec;
            conf_path = std::filesystem::absolute(
                util::AbsPathForConfigVal(base, args.GetArg("-conf", util::MINICASH_CONF_FILENAME)), ec);
        }
    } else {
        user_pass = args.GetArg("-rpcuser", "") + ":" + args.GetArg("-rpcpassword", "");
    }

    const std::string connect_failure = "Could not connect to the server " + host + ":" + std::to_string(port) +
                                        "\n\nMake sure the minicashd server is running and that you are connecting to "
                                        "the correct RPC port.\nUse \"minicash-cli -help\" for more info.";
    node::cli::HttpClient client;
    std::string error;
    if (!client.Connect(host, port, timeout, error)) throw ConnectionFailed(connect_failure);
    const std::string target = wallet ? "/wallet/" + UriEncode(*wallet) : "/";
    const auto response = client.Request("POST", target,
                                         {{"Connection", "close"},
                                          {"Content-Type", "application/json"},
                                          {"Authorization", "Basic " + util::EncodeBase64(user_pass)}},
                                         common::rpc::WriteJson(request) + "\n", timeout, error);
    if (!response) throw ConnectionFailed(connect_failure);
    const int status = response->status;
    if (status == common::rpc::HTTP_UNAUTHORIZED) {
        if (no_cookie) {
            throw std::runtime_error(
                "Could not locate RPC credentials. No authentication cookie could be found, and RPC "
                "password is not set.  See -rpcpassword and -stdinrpcpass.  Configuration file: (" +
                conf_path.string() + ")");
        }
        throw std::runtime_error("Authorization failed: Incorrect rpcuser or rpcpassword");
    }
    if (status == common::rpc::HTTP_SERVICE_UNAVAILABLE) throw std::runtime_error("Server response: " + response->body);
    if (status >= 400 && status != common::rpc::HTTP_BAD_REQUEST && status != common::rpc::HTTP_NOT_FOUND &&
        status != common::rpc::HTTP_INTERNAL_SERVER_ERROR) {
        throw std::runtime_error("server returned HTTP error " + std::to_string(status));
    }
    if (response->body.empty()) throw std::runtime_error("no response from server");
    auto reply = common::rpc::ParseJson(response->body, /*keep_number_text=*/true);
    if (!reply) throw std::runtime_error("couldn't parse reply from server");
    return *reply;
}

/** CallRpc with -rpcwait: retries while the server is unreachable or warming up. */
Json ConnectAndCallRpc(const ArgsManager& args, const Json& request, const std::optional<std::string>& wallet)
{
    const bool wait = args.GetBoolArg("-rpcwait", false);
    const int64_t timeout = args.GetIntArg("-rpcwaittimeout", DEFAULT_WAIT_CLIENT_TIMEOUT);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    while (true) {
        try {
            Json reply = CallRpc(args, request, wallet);
            if (wait && reply.is_object() && reply.contains("error") && reply["error"].is_object() &&
                reply["error"].value("code", 0) == common::rpc::RPC_IN_WARMUP) {
                throw ConnectionFailed("server in warmup");
            }
            return reply;
        } catch (const ConnectionFailed& e) {
            if (wait && (timeout <= 0 || std::chrono::steady_clock::now() < deadline)) {
                std::this_thread::sleep_for(std::chrono::seconds(1));
                continue;
            }
            throw ConnectionFailed(std::string("timeout on transient error: ") + e.what());
        }
    }
}

/** Runs the -getinfo batch; returns a reply object {"result"|"error"}. */
Json GetInfo(const ArgsManager& args, const std::optional<std::string>& wallet)
{
    Json batch = Json::array();
    const char* methods[] = {"getnetworkinfo", "getblockchaininfo", "getwalletinfo", "getbalances"};
    for (int i = 0; i < 4; ++i) {
        Json req = Json::object();
        req["method"] = methods[i];
        req["params"] = Json::array();
        req["id"] = i;
        batch.push_back(std::move(req));
    }
    const Json reply = ConnectAndCallRpc(args, batch, wallet);
    if (!reply.is_array()) return reply;
    Json by_id[4];
    for (const auto& r : reply) {
        if (r.is_object() && r.contains("id") && r["id"].is_number_integer()) {
            const int64_t id = r["id"].get<int64_t>();
            if (id >= 0 && id < 4) by_id[id] = r;
        }
    }
    // Errors of the node calls pass through, except methods this node does not have yet.
    auto fatal = [](const Json& r) {
        return r.is_object() && r.contains("error") && r["error"].is_object() &&
               r["error"].value("code", 0) != common::rpc::RPC_METHOD_NOT_FOUND;
    };
    if (fatal(by_id[0])) return by_id[0];
    if (fatal(by_id[1])) return by_id[1];
    auto result_of = [&](int i) { return by_id[i].is_object() ? by_id[i].value("result", Json()) : Json(); };
    const Json net = result_of(0);
    const Json chain = result_of(1);
    const Json walletinfo = result_of(2);
    const Json balances = result_of(3);
    Json out = Json::object();
    if (net.is_object()) {
        out["version"] = net.value("version", Json());
    }
    if (chain.is_object()) {
        out["blocks"] = chain.value("blocks", Json());
        out["headers"] = chain.value("headers", Json());
        out["verificationprogress"] = chain.value("verificationprogress", Json());
    }
    if (net.is_object()) {
        out["timeoffset"] = net.value("timeoffset", Json());
        Json c = Json::object();
        c["in"] = net.value("connections_in", Json());
        c["out"] = net.value("connections_out", Json());
        c["total"] = net.value("connections", Json());
        out["connections"] = std::move(c);
        out["networks"] = net.value("networks", Json());
    }
    if (chain.is_object()) {
        out["difficulty"] = chain.value("difficulty", Json());
        out["chain"] = chain.value("chain", Json());
    }
    if (walletinfo.is_object()) {
        out["has_wallet"] = true;
        out["keypoolsize"] = walletinfo.value("keypoolsize", Json());
        out["walletname"] = walletinfo.value("walletname", Json());
        if (walletinfo.contains("unlocked_until")) out["unlocked_until"] = walletinfo["unlocked_until"];
        out["paytxfee"] = walletinfo.value("paytxfee", Json());
    }
    if (balances.is_object() && balances.contains("mine") && balances["mine"].is_object()) {
        out["balance"] = balances["mine"].value("trusted", Json());
    }
    // Core's GetWalletBalances: without -rpcwallet and with several wallets loaded, each one's balance.
    if (!wallet) {
        auto call = [&](const char* method, const std::optional<std::string>& w) {
            Json req = Json::object();
            req["method"] = method;
            req["params"] = Json::array();
            req["id"] = 1;
            const Json r = ConnectAndCallRpc(args, req, w);
            return r.is_object() ? r.value("result", Json()) : Json();
        };
        const Json names = call("listwallets", std::nullopt);
        if (names.is_array() && names.size() > 1) {
            Json each = Json::object();
            for (const auto& name : names) {
                if (!name.is_string()) continue;
                const Json b = call("getbalances", name.get<std::string>());
                if (b.is_object() && b.contains("mine") && b["mine"].is_object()) {
                    each[name.get<std::string>()] = b["mine"].value("trusted", Json());
                }
            }
            out["balances"] = std::move(each);
        }
    }
    if (net.is_object()) {
        out["relayfee"] = net.value("relayfee", Json());
        out["warnings"] = net.value("warnings", Json());
    } else if (chain.is_object()) {
        out["warnings"] = chain.value("warnings", Json());
    }
    Json r = Json::object();
    r["result"] = node::cli::FormatGetInfo(
        out, node::cli::GetInfoColors(
                 args.IsArgSet("-color") ? std::optional<std::string>(args.GetArg("-color", "auto")) : std::nullopt,
                 isatty(fileno(stdout)) != 0));
    r["error"] = nullptr;
    return r;
}

/** Runs -netinfo's batch (getpeerinfo, getnetworkinfo); returns a reply object {"result"|"error"}. */
Json NetInfo(const ArgsManager& args, const std::vector<std::string>& cmd)
{
    const node::cli::NetinfoOptions options = node::cli::ParseNetinfoArgs(cmd);
    Json batch = Json::array();
    const char* methods[] = {"getpeerinfo", "getnetworkinfo"};
    for (int i = 0; i < 2; ++i) batch.push_back({{"method", methods[i]}, {"params", Json::array()}, {"id", i}});
    const Json reply = ConnectAndCallRpc(args, batch, std::nullopt);
    if (!reply.is_array()) return reply;
    Json by_id[2];
    for (const auto& r : reply) {
        if (r.is_object() && r.contains("id") && r["id"].is_number_integer()) {
            const int64_t id = r["id"].get<int64_t>();
            if (id >= 0 && id < 2) by_id[id] = r;
        }
    }
    for (const Json& r : by_id) {
        if (!r.is_object()) throw std::runtime_error("missing reply in the -netinfo batch");
        if (!r.value("error", Json()).is_null()) return r;
    }
    const util::ChainType chain = args.GetChainType();
    const std::string chain_name = chain == util::ChainType::MAIN ? "" : " " + util::ChainTypeToString(chain);
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    Json r = Json::object();
    r["result"] = node::cli::FormatNetinfo(by_id[0].value("result", Json()), by_id[1].value("result", Json()), options,
                                           now, CLIENT_VERSION, chain_name);
    r["error"] = nullptr;
    return r;
}

int CommandLineRpc(ArgsManager& args, std::string& print)
{
    std::vector<std::string> cmd = args.GetPositionalArgs();
    if (args.GetBoolArg("-stdinrpcpass", false)) {
        std::string pass;
        if (!std::getline(std::cin, pass))
            throw std::runtime_error("-stdinrpcpass specified but failed to read from standard input");
        args.ForceSetArg("-rpcpassword", pass);
    }
    if (args.GetBoolArg("-stdin", false)) {
        std::string line;
        while (std::getline(std::cin, line)) cmd.push_back(line);
    }
    std::optional<std::string> wallet;
    if (args.IsArgSet("-rpcwallet")) wallet = args.GetArg("-rpcwallet", "");

    Json reply;
    if (args.IsArgSet("-getinfo")) {
        if (!cmd.empty()) throw std::runtime_error("-getinfo takes no arguments");
        reply = GetInfo(args, wallet);
    } else if (args.IsArgSet("-netinfo")) {
        // The level as -netinfo=N, or as the first positional argument (bitcoin-cli -netinfo 4).
        const std::string level = args.GetArg("-netinfo", "");
        if (!level.empty() && cmd.empty()) cmd.push_back(level);
        if (!cmd.empty() && (cmd[0] == "help" || cmd[0] == "h")) {
            print = node::cli::NetinfoHelp();
            return 0;
        }
        reply = NetInfo(args, cmd);
    } else {
        if (cmd.empty()) throw std::runtime_error("too few parameters (need at least command)");
        const std::string method = cmd.front();
        cmd.erase(cmd.begin());
        Json request = Json::object();
        request["method"] = method;
        request["params"] = args.GetBoolArg("-named", false) ? common::rpc::RpcConvertNamedValues(method, cmd)
                                                             : common::rpc::RpcConvertValues(method, cmd);
        request["id"] = 1;
        reply = ConnectAndCallRpc(args, request, wallet);
    }
    if (!reply.is_object() || (!reply.contains("result") && !reply.contains("error"))) {
        throw std::runtime_error("expected reply to have result, error and id properties");
    }
    const Json error = reply.value("error", Json());
    if (!error.is_null()) {
        int code = 0;
        if (error.is_object()) {
            if (error.contains("code")) print = "error code: " + node::cli::ValStr(error["code"]) + "\n";
            if (error.contains("message") && error["message"].is_string())
                print += "error message:\n" + error["message"].get<std::string>();
            if (error.contains("code") && error["code"].is_number_integer()) code = error["code"].get<int>();
            if (code == common::rpc::RPC_WALLET_NOT_SPECIFIED) {
                print += "\nTry adding \"-rpcwallet=<filename>\" option to minicash-cli command line.";
            }
        } else {
            print = "error: " + common::rpc::WriteJson(error);
        }
        return std::abs(code);
    }
    const Json result = reply.value("result", Json());
    if (!result.is_null()) print = result.is_string() ? result.get<std::string>() : common::rpc::WriteJson(result, 2);
    return 0;
}

std::string Usage(const ArgsManager& args)
{
    std::string usage = std::string("Minicash RPC client version ") + CLIENT_VERSION + "\n";
    if (!args.IsArgSet("-version")) {
        usage +=
            "\n"
            "The minicash-cli utility provides a command line interface to interact with a Minicash RPC server.\n"
            "\n"
            "It can be used to query network information, manage wallets, create or broadcast transactions, and "
            "control the Minicash server.\n"
            "\n"
            "Use the \"help\" command to list all commands. Use \"help <command>\" to show help for that command.\n"
            "The -named option allows you to specify parameters using the key=value format, eliminating the need "
            "to pass unused positional parameters.\n"
            "\n"
            "Usage: minicash-cli [options] <command> [params]\n"
            "or:    minicash-cli [options] -named <command> [name=value]...\n"
            "or:    minicash-cli [options] help\n"
            "or:    minicash-cli [options] help <command>\n"
            "\n";
        usage += args.GetHelpMessage();
    }
    return usage;
}

} // namespace

int main(int argc, char* argv[])
{
    ArgsManager args;
    SetupCliArgs(args);
    args.SetAllowPositional(true);
    std::string error;
    if (!args.ParseParameters(argc, argv, error)) {
        std::fprintf(stderr, "Error parsing command line arguments: %s\n", error.c_str());
        return EXIT_FAILURE;
    }
    if (util::HelpRequested(args) || args.IsArgSet("-version")) {
        std::string usage = Usage(args);
        std::fwrite(usage.data(), 1, usage.size(), stdout);
        return EXIT_SUCCESS;
    }
    std::filesystem::path datadir;
    if (!util::GetDataDirBase(args, datadir, error)) {
        std::fprintf(stderr, "Error: Specified data directory \"%s\" does not exist.\n",
                     args.GetArg("-datadir", "").c_str());
        return EXIT_FAILURE;
    }
    if (!args.ReadConfigFiles(error, true)) {
        std::fprintf(stderr, "Error reading configuration file: %s\n", error.c_str());
        return EXIT_FAILURE;
    }
    try {
        (void)args.GetChainType();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "Error: %s\n", e.what());
        return EXIT_FAILURE;
    }

    std::string print;
    int ret = EXIT_FAILURE;
    try {
        ret = CommandLineRpc(args, print);
    } catch (const std::exception& e) {
        print = std::string("error: ") + e.what();
        ret = EXIT_FAILURE;
    }
    if (!print.empty()) {
        print += "\n";
        std::fwrite(print.data(), 1, print.size(), ret == 0 ? stdout : stderr);
    }
    return ret;
}
