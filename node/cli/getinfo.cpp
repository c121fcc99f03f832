// minicash-cli -getinfo formatting (see getinfo.h), following Core's bitcoin-cli.
#include "node/cli/getinfo.h"

#include <algorithm>

#include <cstdio>
#include <stdexcept>

namespace node::cli {

using common::rpc::Json;

std::string ValStr(const Json& v)
{
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    return common::rpc::WriteJson(v);
}

Colors GetInfoColors(const std::optional<std::string>& setting, bool stdout_is_tty)
{
    bool colorize = stdout_is_tty;
    if (setting) {
        if (*setting == "always") {
            colorize = true;
        } else if (*setting == "never") {
            colorize = false;
        } else if (*setting != "auto") {
            throw std::runtime_error("Invalid value for -color option. Valid values: always, auto, never.");
        }
    }
    if (!colorize) return {};
    return {"\x1B[0m", "\x1B[32m", "\x1B[34m", "\x1B[33m", "\x1B[35m", "\x1B[36m"};
}

std::string ProgressBar(double progress)
{
    std::string bar;
    if (progress < 0 || progress > 1) return bar;
    constexpr double INCREMENT = 0.05;
    for (int i = 0; i < progress / INCREMENT; ++i) bar += "\u2592";
    for (int i = 0; i < (1 - progress) / INCREMENT; ++i) bar += "\u2591";
    return bar;
}

std::string FormatGetInfo(const Json& r, const Colors& c)
{
    std::string out = c.blue + "Chain: " + ValStr(r.value("chain", Json())) + c.reset + "\n";
    out += "Blocks: " + ValStr(r.value("blocks", Json())) + "\n";
    out += "Headers: " + ValStr(r.value("headers", Json())) + "\n";
    if (r.contains("verificationprogress") && common::rpc::IsNumeric(r["verificationprogress"])) {
        const double progress = common::rpc::NumericAsDouble(r["verificationprogress"]);
        // The bar only while less than 99% is verified, as Core.
        const std::string bar = progress < 0.99 ? ProgressBar(progress) + " " : "";
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.4f%%", progress * 100);
        out += "Verification progress: " + bar + buf + "\n";
    }
    out += "Difficulty: " + ValStr(r.value("difficulty", Json())) + "\n\n";
    if (r.contains("version")) {
        Json conn = r.value("connections", Json::object());
        if (!conn.is_object()) conn = Json::object();
        out += c.green + "Network: in " + ValStr(conn.value("in", Json())) + ", out " +
               ValStr(conn.value("out", Json())) + ", total " + ValStr(conn.value("total", Json())) + c.reset + "\n";
        out += "Version: " + ValStr(r["version"]) + "\n";
        out += "Time offset (s): " + ValStr(r.value("timeoffset", Json())) + "\n";
        std::string proxies;
        if (r.contains("networks") && r["networks"].is_array()) {
            for (const auto& n : r["networks"]) {
                const std::string proxy = n.is_object() ? ValStr(n.value("proxy", Json())) : "";
                if (!proxy.empty())
                    proxies += (proxies.empty() ? "" : ", ") + proxy + " (" + ValStr(n.value("name", Json())) + ")";
            }
        }
        out += "Proxies: " + (proxies.empty() ? std::string("n/a") : proxies) + "\n";
        out += "Min tx relay fee rate (BTC/kvB): " + ValStr(r.value("relayfee", Json())) + "\n\n";
    }
    if (r.contains("has_wallet")) {
        const std::string name = ValStr(r.value("walletname", Json()));
        out += c.magenta + "Wallet: " + (name.empty() ? std::string("\"\"") : name) + c.reset + "\n";
        out += "Keypool size: " + ValStr(r.value("keypoolsize", Json())) + "\n";
        if (r.contains("unlocked_until")) out += "Unlocked until: " + ValStr(r["unlocked_until"]) + "\n";
        out += "Transaction fee rate (-paytxfee) (BTC/kvB): " + ValStr(r.value("paytxfee", Json())) + "\n\n";
    }
    if (r.contains("balance")) out += c.cyan + "Balance:" + c.reset + " " + ValStr(r["balance"]) + "\n\n";
    if (r.contains("balances") && r["balances"].is_object()) {
        // One line per wallet: the amount right-aligned (at least 10 wide), then the name.
        out += c.cyan + "Balances" + c.reset + "\n";
        size_t width = 10;
        for (const auto& [name, value] : r["balances"].items()) width = std::max(width, ValStr(value).size());
        for (const auto& [name, value] : r["balances"].items()) {
            const std::string amount = ValStr(value);
            out += std::string(width - amount.size(), ' ') + amount + " " +
                   (name.empty() ? std::string("\"\"") : name) + "\n";
        }
        out += "\n";
    }
    const Json w = r.value("warnings", Json());
    out += c.yellow + "Warnings:" + c.reset;
    if (w.is_array()) {
        if (w.empty()) {
            out += " (none)";
        } else {
            for (const auto& item : w) out += "\n" + ValStr(item);
        }
    } else {
        out += " " + (w.is_null() || ValStr(w).empty() ? std::string("(none)") : ValStr(w));
    }
    return out;
}

} // namespace node::cli
