// libFuzzer target: command-line and configuration-file parsing (util/args.*).
//
// Input: byte 0 holds flags (bit 0: positional arguments allowed, as the CLI; bit 1: unknown
// conf keys ignored, as the daemon; bit 2: the conf is read before the command line; bit 3:
// -help text and the settings' description are built too); the rest, split at NUL bytes, is
// the conf file's text followed by the command-line arguments. The options are the daemon's
// shared ones (help, chain, logging, RPC server) plus one of each flag kind.
//
// After parsing, every option and every name the input mentions is looked up through each
// accessor, which must agree: an unset option gives defaults only, a negated one is set,
// reads "0" and is false, a value reads back as the same string, the same bool
// (InterpretBool) and the same integer (ParseIntLenient). InterpretBool must equal Core's
// rule, and ParseIntLenient must read back any decimal int64 it is given.

#include "node/http/http_options.h"
#include "util/args.h"
#include "util/logging.h"
#include "tests/fuzz/fuzz_common.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using util::ArgsManager;
using util::OptionsCategory;

void SetupArgs(ArgsManager& args)
{
    util::SetupHelpOptions(args);
    util::SetupChainParamsOptions(args);
    util::SetupLoggingOptions(args);
    node::http::SetupRpcServerOptions(args);
    args.AddArg("-datadir=<dir>", "", ArgsManager::ALLOW_ANY | ArgsManager::DISALLOW_NEGATION,
                OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>", "", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-includeconf=<file>", "", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-dbcache=<n>", "", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-elide=<v>", "", ArgsManager::ALLOW_ANY | ArgsManager::DISALLOW_ELISION, OptionsCategory::OPTIONS);
    args.AddArg("-netonly=<v>", "", ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::CONNECTION);
    args.AddArg("-secret=<v>", "", ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE, OptionsCategory::RPC);
    args.AddArg("-debugonly", "", ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::DEBUG_TEST);
}

const std::vector<std::string> REGISTERED = {"-help",
                                             "-help-debug",
                                             "-h",
                                             "-?",
                                             "-chain",
                                             "-regtest",
                                             "-testnet",
                                             "-testnet4",
                                             "-signet",
                                             "-debug",
                                             "-debugexclude",
                                             "-printtoconsole",
                                             "-debuglogfile",
                                             "-server",
                                             "-rpcbind",
                                             "-rpcallowip",
                                             "-rpcport",
                                             "-rpcuser",
                                             "-rpcpassword",
                                             "-rpcauth",
                                             "-rpccookiefile",
                                             "-rpccookieperms",
                                             "-rpcwhitelist",
                                             "-rpcwhitelistdefault",
                                             "-rpcthreads",
                                             "-rpcworkqueue",
                                             "-rpcservertimeout",
                                             "-rpcdoccheck",
                                             "-datadir",
                                             "-conf",
                                             "-includeconf",
                                             "-dbcache",
                                             "-elide",
                                             "-netonly",
                                             "-secret",
                                             "-debugonly"};

/** The option name an argument or conf line mentions: "--nofoo=1" -> "-nofoo" and "-foo", "main.bar=" -> "-bar". */
void AddMentionedNames(const std::string& piece, std::set<std::string>& names)
{
    std::string name = piece.substr(0, piece.find('='));
    while (!name.empty() && name[0] == '-') name.erase(0, 1);
    if (const size_t dot = name.find('.'); dot != std::string::npos) name.erase(0, dot + 1);
    if (name.empty() || name.size() > 64) return;
    names.insert("-" + name);
    if (name.starts_with("no")) names.insert("-" + name.substr(2));
}

void CheckAccessors(const ArgsManager& args, const std::string& name)
{
    const std::optional<std::string> value = args.GetArg(name);
    const bool set = args.IsArgSet(name);
    const bool negated = args.IsArgNegated(name);
    const std::vector<std::string> all = args.GetArgs(name);
    fuzz::Check(!negated || set, "negated but not set", name);
    if (!set) {
        fuzz::Check(!value && all.empty(), "unset option has a value", name);
        fuzz::Check(args.GetBoolArg(name, true) && !args.GetBoolArg(name, false), "unset option is not its default",
                    name);
        fuzz::Check(args.GetIntArg(name, 7) == 7 && !args.GetIntArg(name), "unset option has an integer", name);
        fuzz::Check(args.GetArg(name, "dflt") == "dflt", "unset option is not its default string", name);
        return;
    }
    if (negated) {
        fuzz::Check(value == std::optional<std::string>("0"), "negated option does not read \"0\"", name);
        fuzz::Check(!args.GetBoolArg(name, true), "negated option is true", name);
    }
    if (value) {
        const bool b = util::InterpretBool(*value);
        fuzz::Check(args.GetBoolArg(name, !b) == b && args.GetBoolArg(name) == b, "bool differs from value", name);
        fuzz::Check(args.GetIntArg(name, 7) == util::ParseIntLenient(*value), "integer differs from value", name);
        fuzz::Check(args.GetArg(name, "dflt") == *value, "string differs from value", name);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    util::GetLogger().DisableBuffering();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t flags = data[0];
    const std::vector<std::string> pieces = fuzz::Split(fuzz::AsText(data + 1, size - 1), '\0');
    if (pieces.size() > 64) return 0;

    ArgsManager args;
    SetupArgs(args);
    args.SetAllowPositional((flags & 1) != 0);

    std::vector<const char*> argv{"minicashd"};
    for (size_t i = 1; i < pieces.size(); ++i) argv.push_back(pieces[i].c_str());
    std::string error;
    const auto read_conf = [&] { return args.ReadConfigString(pieces[0], error, (flags & 2) != 0); };
    const auto parse_cmd = [&] { return args.ParseParameters(static_cast<int>(argv.size()), argv.data(), error); };
    if (flags & 4) {
        if (!read_conf() || !parse_cmd()) return 0;
    } else {
        if (!parse_cmd() || !read_conf()) return 0;
    }
    try {
        args.SelectConfigNetwork(args.GetChainTypeString());
        (void)args.GetChainType();
    } catch (const std::runtime_error&) {}

    std::set<std::string> names(REGISTERED.begin(), REGISTERED.end());
    for (size_t i = 1; i < pieces.size(); ++i) AddMentionedNames(pieces[i], names);
    for (const std::string& line : fuzz::Split(pieces[0], '\n')) AddMentionedNames(line, names);
    for (const std::string& name : names) CheckAccessors(args, name);
    for (const std::string& p : args.GetPositionalArgs()) {
        fuzz::Check((flags & 1) != 0, "positional argument accepted by the daemon", p);
    }
    (void)args.GetConfigWarnings();
    if (flags & 8) {
        (void)args.GetHelpMessage();
        // "<source> arg: [section] name=value": a SENSITIVE option's value must be hidden. The
        // line is split unambiguously only when no section or value holds a ']'.
        bool no_bracket = std::none_of(pieces.begin() + 1, pieces.end(),
                                       [](const std::string& p) { return p.find(']') != std::string::npos; });
        for (std::string_view line : fuzz::Split(pieces[0], '\n')) {
            const size_t close = line.find(']');
            if (close == std::string_view::npos) continue;
            // Only a "[section]" header (with nothing but blanks around it) may hold one.
            no_bracket = no_bracket && line.find(']', close + 1) == std::string_view::npos &&
                         line.find_first_not_of(" \t\r\f\v", close + 1) == std::string_view::npos &&
                         line.find_first_not_of(" \t\r\f\v") == line.find('[');
        }
        for (const std::string& line : no_bracket ? args.DescribeArgs() : std::vector<std::string>{}) {
            std::string_view rest(line);
            rest.remove_prefix(std::min(rest.size(), rest.find(": ") + 2));
            if (rest.starts_with("[")) rest.remove_prefix(std::min(rest.size(), rest.find("] ") + 2));
            const std::string_view name = rest.substr(0, rest.find('='));
            if (name == "secret" || name == "rpcpassword") {
                fuzz::Check(rest.ends_with("=****"), "a SENSITIVE value is described in the clear", line);
            }
        }
    }

    // Core's InterpretBool: "" is true, otherwise whether the leading integer is non-zero.
    for (const std::string& p : pieces) {
        const std::string value = p.substr(p.find('=') == std::string::npos ? 0 : p.find('=') + 1);
        fuzz::Check(util::InterpretBool(value) == (value.empty() || util::ParseIntLenient(value) != 0),
                    "InterpretBool is not Core's rule", value);
    }
    if (size >= 9) {
        int64_t n;
        std::memcpy(&n, data + 1, sizeof(n));
        fuzz::Check(util::ParseIntLenient(std::to_string(n)) == n, "ParseIntLenient misreads", std::to_string(n));
        fuzz::Check(util::ParseIntLenient(" +" + std::to_string(n < 0 ? 0 : n) + "x") == (n < 0 ? 0 : n),
                    "ParseIntLenient misreads a padded number", std::to_string(n));
    }
    return 0;
}
