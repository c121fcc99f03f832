// ArgsManager: parsing and lookup. Precedence and negation rules follow Bitcoin Core's
// common/args.cpp and common/settings.cpp (see args.h).
#include "util/args.h"

#include "util/fs_util.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace util {

namespace {

std::string Trim(std::string_view s)
{
    const char* ws = " \t\r\n";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

std::string SettingToString(const ArgsManager::Setting& s)
{
    if (const bool* b = std::get_if<bool>(&s)) return *b ? "1" : "0";
    return std::get<std::string>(s);
}

bool IsFalse(const ArgsManager::Setting& s)
{
    const bool* b = std::get_if<bool>(&s);
    return b && !*b;
}

/** Index just past the last negation in values (0 when none): Core's SettingsSpan::negated(). */
size_t NegatedPrefix(const std::vector<ArgsManager::Setting>& values)
{
    for (size_t i = values.size(); i > 0; --i) {
        if (IsFalse(values[i - 1])) return i;
    }
    return 0;
}

bool LastNegated(const std::vector<ArgsManager::Setting>& values) { return !values.empty() && IsFalse(values.back()); }

const std::vector<ArgsManager::Setting>* FindValues(const std::map<std::string, std::vector<ArgsManager::Setting>>& m,
                                                    const std::string& name)
{
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
}

std::string StripDash(const std::string& name) { return !name.empty() && name[0] == '-' ? name.substr(1) : name; }

/** Wraps text to width columns, indenting continuation lines by indent spaces. */
std::string FormatParagraph(const std::string& text, size_t width, size_t indent)
{
    std::string out;
    std::istringstream lines(text);
    std::string line;
    bool first_line = true;
    while (std::getline(lines, line)) {
        if (!first_line) out += "\n" + std::string(indent, ' ');
        first_line = false;
        size_t col = 0;
        std::istringstream words(line);
        std::string word;
        bool first_word = true;
        while (words >> word) {
            if (!first_word && col + 1 + word.size() > width) {
                out += "\n" + std::string(indent, ' ');
                col = 0;
                first_word = true;
            }
            if (!first_word) {
                out += ' ';
                ++col;
            }
            out += word;
            col += word.size();
            first_word = false;
        }
    }
    return out;
}

} // namespace

bool InterpretBool(std::string_view value)
{
    if (value.empty()) return true;
    return ParseIntLenient(value) != 0;
}

int64_t ParseIntLenient(std::string_view value)
{
    // As Core's LocaleIndependentAtoi (and atoi): surrounding whitespace is skipped.
    constexpr std::string_view ws = " \f\n\r\t\v";
    value.remove_prefix(std::min(value.size(), value.find_first_not_of(ws)));
    value = value.substr(0, value.find_last_not_of(ws) + 1);
    if (!value.empty() && value[0] == '+') {
        if (value.size() >= 2 && value[1] == '-') return 0;
        value.remove_prefix(1);
    }
    int64_t result = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
    if (ec == std::errc::result_out_of_range) {
        return !value.empty() && value[0] == '-' ? std::numeric_limits<int64_t>::min()
                                                 : std::numeric_limits<int64_t>::max();
    }
    if (ec != std::errc{}) return 0;
    (void)ptr;
    return result;
}

ArgsManager::Key ArgsManager::InterpretKey(std::string key)
{
    Key result;
    const size_t dot = key.find('.');
    if (dot != std::string::npos) {
        result.section = key.substr(0, dot);
        key.erase(0, dot + 1);
    }
    if (key.starts_with("no")) {
        key.erase(0, 2);
        result.negated = true;
    }
    result.name = key;
    return result;
}

std::optional<ArgsManager::Setting> ArgsManager::InterpretValue(const Key& key, const std::string* value,
                                                                unsigned flags, std::string& error)
{
    if (key.negated) {
        if (flags & DISALLOW_NEGATION) {
            error = "Negating of -" + key.name + " is meaningless and therefore forbidden";
            return std::nullopt;
        }
        // -nofoo=0 is a (discouraged) double negative meaning true.
        if (value && !InterpretBool(*value)) return Setting{true};
        return Setting{false};
    }
    if (!value && (flags & DISALLOW_ELISION)) {
        error = "Can not set -" + key.name + " with no value. Please specify value with -" + key.name + "=value.";
        return std::nullopt;
    }
    return Setting{value ? *value : std::string{}};
}

void ArgsManager::AddArg(const std::string& name, const std::string& help, unsigned flags, OptionsCategory category)
{
    const size_t eq = std::min(name.find('='), name.size());
    const std::string arg_name = name.substr(0, eq);
    util::RecursiveLock lock(m_mutex);
    for (const auto& [cat, args] : m_available) {
        if (args.contains(arg_name)) throw std::logic_error("option registered twice: " + arg_name);
    }
    m_available[category].emplace(arg_name, Arg{name.substr(eq), help, flags});
}

void ArgsManager::AddHiddenArgs(const std::vector<std::string>& names)
{
    for (const auto& n : names) AddArg(n, "", ALLOW_ANY, OptionsCategory::HIDDEN);
}

void ArgsManager::SetAllowPositional(bool allow)
{
    util::RecursiveLock lock(m_mutex);
    m_allow_positional = allow;
}

std::optional<unsigned> ArgsManager::GetArgFlagsLocked(const std::string& name) const
{
    for (const auto& [cat, args] : m_available) {
        auto it = args.find(name);
        if (it != args.end()) return it->second.flags;
    }
    return std::nullopt;
}

bool ArgsManager::ParseParameters(int argc, const char* const argv[], std::string& error)
{
    util::RecursiveLock lock(m_mutex);
    m_command_line.clear();
    m_positional.clear();
    for (int i = 1; i < argc; ++i) {
        std::string key(argv[i]);
        if (key == "-") break;
        std::optional<std::string> value;
        const size_t eq = key.find('=');
        if (eq != std::string::npos) {
            value = key.substr(eq + 1);
            key.erase(eq);
        }
        if (key.empty() || key[0] != '-') {
            if (!m_allow_positional) {
                error = "Command line contains unexpected token '" + std::string(argv[i]) +
                        "', see minicashd -h for a list of options.";
                return false;
            }
            // The first positional argument and everything after it belong to the command.
            for (; i < argc; ++i) m_positional.emplace_back(argv[i]);
            break;
        }
        if (key.size() > 1 && key[1] == '-') key.erase(0, 1); // --foo -> -foo
        key.erase(0, 1);
        const Key info = InterpretKey(key);
        const std::optional<unsigned> flags = GetArgFlagsLocked("-" + info.name);
        if (!flags || !info.section.empty() || info.name.empty()) {
            error = "Invalid parameter " + std::string(argv[i]);
            return false;
        }
        std::optional<Setting> setting = InterpretValue(info, value ? &*value : nullptr, *flags, error);
        if (!setting) return false;
        m_command_line[info.name].push_back(std::move(*setting));
    }
    if (auto* inc = FindValues(m_command_line, "includeconf"); inc && NegatedPrefix(*inc) < inc->size()) {
        error = "-includeconf cannot be used from commandline; -includeconf=" +
                SettingToString((*inc)[NegatedPrefix(*inc)]);
        return false;
    }
    return true;
}

bool ArgsManager::ReadConfigStreamLocked(std::string_view text, const std::string& origin, std::string& error,
                                         bool ignore_invalid)
{
    (void)origin; // kept for messages that name the file
    std::istringstream stream{std::string(text)};
    std::string line;
    std::string prefix;
    int linenr = 1;
    std::vector<std::pair<std::string, std::string>> options;
    while (std::getline(stream, line)) {
        bool used_hash = false;
        if (const size_t pos = line.find('#'); pos != std::string::npos) {
            line.erase(pos);
            used_hash = true;
        }
        const std::string str = Trim(line);
        if (!str.empty()) {
            if (str.front() == '[' && str.back() == ']') {
                const std::string section = str.substr(1, str.size() - 2);
                m_config_sections.push_back(section);
                prefix = section + '.';
            } else if (str.front() == '-') {
                error = "parse error on line " + std::to_string(linenr) + ": " + str +
                        ", options in configuration file must be specified without leading -";
                return false;
            } else if (const size_t pos = str.find('='); pos != std::string::npos) {
                std::string name = prefix + Trim(std::string_view(str).substr(0, pos));
                std::string value = Trim(std::string_view(str).substr(pos + 1));
                if (used_hash && name.find("rpcpassword") != std::string::npos) {
                    error = "parse error on line " + std::to_string(linenr) +
                            ", using # in rpcpassword can be ambiguous and should be avoided";
                    return false;
                }
                options.emplace_back(std::move(name), std::move(value));
            } else {
                error = "parse error on line " + std::to_string(linenr) + ": " + str;
                if (str.size() >= 2 && str.starts_with("no")) {
                    error += ", if you intended to specify a negated option, use " + str + "=1 instead";
                }
                return false;
            }
        }
        ++linenr;
    }
    for (const auto& [raw_name, value] : options) {
        const Key key = InterpretKey(raw_name);
        if (key.name == "conf") {
            error = "conf cannot be set in the configuration file; use includeconf= if you want to include "
                    "additional config files";
            return false;
        }
        const std::optional<unsigned> flags = GetArgFlagsLocked("-" + key.name);
        if (!flags) {
            if (ignore_invalid) {
                m_ignored_keys.push_back(raw_name);
                continue;
            }
            error = "Invalid configuration value " + raw_name;
            return false;
        }
        std::optional<Setting> setting = InterpretValue(key, &value, *flags, error);
        if (!setting) return false;
        m_config[key.section][key.name].push_back(std::move(*setting));
    }
    return true;
}

bool ArgsManager::ReadConfigString(std::string_view text, std::string& error, bool ignore_invalid_keys)
{
    util::RecursiveLock lock(m_mutex);
    m_config.clear();
    m_config_sections.clear();
    m_ignored_keys.clear();
    if (!ReadConfigStreamLocked(text, "", error, ignore_invalid_keys)) return false;
    try {
        m_network = GetChainTypeStringLocked();
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    return true;
}

bool ArgsManager::ReadConfigFiles(std::string& error, bool ignore_invalid_keys)
{
    util::RecursiveLock lock(m_mutex);
    m_config.clear();
    m_config_sections.clear();
    m_ignored_keys.clear();
    std::filesystem::path datadir;
    if (!GetDataDirBase(*this, datadir, error)) return false;

    std::filesystem::path conf_path;
    if (!IsArgNegated("-conf")) {
        conf_path = GetArg("-conf", MINICASH_CONF_FILENAME);
        if (conf_path.is_relative()) conf_path = datadir / conf_path;
    }
    if (!conf_path.empty()) {
        std::error_code ec;
        if (std::filesystem::is_directory(conf_path, ec)) {
            error = "Config file \"" + conf_path.string() + "\" is a directory.";
            return false;
        }
        std::ifstream in(conf_path);
        if (!in.good()) {
            if (IsArgSet("-conf")) {
                error = "specified config file \"" + conf_path.string() + "\" could not be opened.";
                return false;
            }
        } else {
            std::stringstream buf;
            buf << in.rdbuf();
            if (!ReadConfigStreamLocked(buf.str(), conf_path.string(), error, ignore_invalid_keys)) return false;
            std::string chain;
            try {
                chain = GetChainTypeStringLocked();
            } catch (const std::exception& e) {
                error = e.what();
                return false;
            }
            // includeconf= from the chain section, then the top section (one level deep, as Core).
            const auto collect_includes = [&]() REQUIRES(m_mutex) {
                std::vector<std::string> found;
                for (const std::string& section : {chain, std::string{}}) {
                    auto sec = m_config.find(section);
                    if (sec == m_config.end()) continue;
                    if (auto* vals = FindValues(sec->second, "includeconf")) {
                        for (size_t i = NegatedPrefix(*vals); i < vals->size(); ++i) {
                            found.push_back(SettingToString((*vals)[i]));
                        }
                    }
                }
                return found;
            };
            std::vector<std::string> includes = collect_includes();
            if (auto* cl = FindValues(m_command_line, "includeconf"); cl && LastNegated(*cl)) includes.clear();
            const std::vector<std::string> top_level_includes = collect_includes();
            for (const std::string& inc : includes) {
                std::filesystem::path p = inc;
                if (p.is_relative()) p = datadir / p;
                std::ifstream inc_in(p);
                if (!inc_in.good() || std::filesystem::is_directory(p, ec)) {
                    error = "Failed to include configuration file " + inc;
                    return false;
                }
                std::stringstream inc_buf;
                inc_buf << inc_in.rdbuf();
                if (!ReadConfigStreamLocked(inc_buf.str(), inc, error, ignore_invalid_keys)) return false;
            }
            // As Core: included files may not include further files; say so and go on.
            std::vector<std::string> nested = collect_includes();
            for (const std::string& v : top_level_includes) {
                if (auto it = std::find(nested.begin(), nested.end(), v); it != nested.end()) nested.erase(it);
            }
            for (const std::string& v : nested) {
                std::fprintf(stderr,
                             "warning: -includeconf cannot be used from included files; ignoring -includeconf=%s\n",
                             v.c_str());
            }
        }
    }
    // The conf may itself set -datadir: it must exist as well.
    if (!GetDataDirBase(*this, datadir, error)) return false;
    try {
        m_network = GetChainTypeStringLocked();
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
    return true;
}

void ArgsManager::SelectConfigNetwork(const std::string& network)
{
    util::RecursiveLock lock(m_mutex);
    m_network = network;
}

std::vector<std::string> ArgsManager::GetPositionalArgs() const
{
    util::RecursiveLock lock(m_mutex);
    return m_positional;
}

bool ArgsManager::UseDefaultSectionLocked(const std::string& name) const
{
    if (m_network.empty() || m_network == "main") return true;
    const std::optional<unsigned> flags = GetArgFlagsLocked("-" + name);
    return !flags || !(*flags & NETWORK_ONLY);
}

std::optional<ArgsManager::Setting> ArgsManager::GetSettingLocked(const std::string& arg, bool chain_type_lookup) const
{
    const std::string name = StripDash(arg);
    if (auto it = m_forced.find(name); it != m_forced.end()) return Setting{it->second};

    // Command line: the last value wins; a trailing negation gives false.
    if (auto* vals = FindValues(m_command_line, name)) {
        const bool skip = chain_type_lookup && LastNegated(*vals); // Core ignores -noregtest etc.
        if (!skip) {
            const size_t neg = NegatedPrefix(*vals);
            if (neg < vals->size()) return vals->back();
            if (LastNegated(*vals)) return Setting{false};
        }
    }
    // Config file: for backwards compatibility the first value wins (the last for chain options).
    auto from_section = [&](const std::string& section, bool is_default) REQUIRES(m_mutex) -> std::optional<Setting> {
        auto sec = m_config.find(section);
        if (sec == m_config.end()) return std::nullopt;
        auto* vals = FindValues(sec->second, name);
        if (!vals) return std::nullopt;
        if (is_default && !chain_type_lookup && !UseDefaultSectionLocked(name) && !LastNegated(*vals))
            return std::nullopt;
        const size_t neg = NegatedPrefix(*vals);
        if (neg < vals->size()) return chain_type_lookup ? vals->back() : (*vals)[neg];
        if (LastNegated(*vals)) return Setting{false};
        return std::nullopt;
    };
    if (!chain_type_lookup && !m_network.empty()) {
        if (auto s = from_section(m_network, false)) return s;
    }
    return from_section("", true);
}

std::vector<ArgsManager::Setting> ArgsManager::GetSettingsListLocked(const std::string& arg) const
{
    const std::string name = StripDash(arg);
    std::vector<Setting> result;
    if (auto it = m_forced.find(name); it != m_forced.end()) return {Setting{it->second}};
    bool complete = false;
    auto add = [&](const std::vector<Setting>* vals) {
        if (!vals || complete) return;
        const size_t neg = NegatedPrefix(*vals);
        for (size_t i = neg; i < vals->size(); ++i) result.push_back((*vals)[i]);
        if (neg > 0) complete = true;
    };
    add(FindValues(m_command_line, name));
    if (!m_network.empty()) {
        if (auto sec = m_config.find(m_network); sec != m_config.end()) add(FindValues(sec->second, name));
    }
    if (UseDefaultSectionLocked(name)) {
        if (auto sec = m_config.find(""); sec != m_config.end()) add(FindValues(sec->second, name));
    }
    return result;
}

std::optional<std::string> ArgsManager::GetArg(const std::string& name) const
{
    util::RecursiveLock lock(m_mutex);
    auto s = GetSettingLocked(name, false);
    if (!s) return std::nullopt;
    return SettingToString(*s);
}

std::string ArgsManager::GetArg(const std::string& name, const std::string& default_value) const
{
    return GetArg(name).value_or(default_value);
}

std::optional<int64_t> ArgsManager::GetIntArg(const std::string& name) const
{
    util::RecursiveLock lock(m_mutex);
    auto s = GetSettingLocked(name, false);
    if (!s) return std::nullopt;
    if (const bool* b = std::get_if<bool>(&*s)) return *b ? 1 : 0;
    return ParseIntLenient(std::get<std::string>(*s));
}

int64_t ArgsManager::GetIntArg(const std::string& name, int64_t default_value) const
{
    return GetIntArg(name).value_or(default_value);
}

std::optional<bool> ArgsManager::GetBoolArg(const std::string& name) const
{
    util::RecursiveLock lock(m_mutex);
    auto s = GetSettingLocked(name, false);
    if (!s) return std::nullopt;
    if (const bool* b = std::get_if<bool>(&*s)) return *b;
    return InterpretBool(std::get<std::string>(*s));
}

bool ArgsManager::GetBoolArg(const std::string& name, bool default_value) const
{
    return GetBoolArg(name).value_or(default_value);
}

std::vector<std::string> ArgsManager::GetArgs(const std::string& name) const
{
    util::RecursiveLock lock(m_mutex);
    std::vector<std::string> out;
    for (const auto& s : GetSettingsListLocked(name)) out.push_back(SettingToString(s));
    return out;
}

bool ArgsManager::IsArgSet(const std::string& name) const
{
    util::RecursiveLock lock(m_mutex);
    return GetSettingLocked(name, false).has_value();
}

bool ArgsManager::IsArgNegated(const std::string& name) const
{
    util::RecursiveLock lock(m_mutex);
    auto s = GetSettingLocked(name, false);
    return s && IsFalse(*s);
}

void ArgsManager::ForceSetArg(const std::string& name, const std::string& value)
{
    util::RecursiveLock lock(m_mutex);
    m_forced[StripDash(name)] = value;
}

bool ArgsManager::SoftSetArg(const std::string& name, const std::string& value)
{
    util::RecursiveLock lock(m_mutex);
    if (GetSettingLocked(name, false)) return false;
    m_forced[StripDash(name)] = value;
    return true;
}

bool ArgsManager::SoftSetBoolArg(const std::string& name, bool value) { return SoftSetArg(name, value ? "1" : "0"); }

std::string ArgsManager::GetChainTypeStringLocked() const
{
    auto flag = [&](const char* name) REQUIRES(m_mutex) {
        auto s = GetSettingLocked(name, true);
        if (!s) return false;
        if (const bool* b = std::get_if<bool>(&*s)) return *b;
        return InterpretBool(std::get<std::string>(*s));
    };
    const bool regtest = flag("-regtest");
    const bool signet = flag("-signet");
    const bool testnet = flag("-testnet");
    const bool testnet4 = flag("-testnet4");
    const auto chain = GetSettingLocked("-chain", false);
    if (int(chain.has_value()) + int(regtest) + int(signet) + int(testnet) + int(testnet4) > 1) {
        throw std::runtime_error(
            "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.");
    }
    if (chain) return SettingToString(*chain);
    if (regtest) return "regtest";
    if (signet) return "signet";
    if (testnet) return "test";
    if (testnet4) return "testnet4";
    return "main";
}

std::string ArgsManager::GetChainTypeString() const
{
    util::RecursiveLock lock(m_mutex);
    return GetChainTypeStringLocked();
}

ChainType ArgsManager::GetChainType() const
{
    const std::string name = GetChainTypeString();
    if (auto chain = ChainTypeFromString(name)) return *chain;
    throw std::runtime_error("Unknown chain " + name + ".");
}

std::string ArgsManager::GetHelpMessage() const
{
    const bool show_debug = GetBoolArg("-help-debug", false);
    util::RecursiveLock lock(m_mutex);
    std::string usage;
    for (const auto& [category, args] : m_available) {
        if (category == OptionsCategory::HIDDEN) break;
        static const std::map<OptionsCategory, const char*> titles{
            {OptionsCategory::OPTIONS, "Options:"},
            {OptionsCategory::CONNECTION, "Connection options:"},
            {OptionsCategory::DEBUG_TEST, "Debugging/Testing options:"},
            {OptionsCategory::NODE_RELAY, "Node relay options:"},
            {OptionsCategory::BLOCK_CREATION, "Block creation options:"},
            {OptionsCategory::RPC, "RPC server options:"},
            {OptionsCategory::WALLET, "Wallet options:"},
            {OptionsCategory::CHAINPARAMS, "Chain selection options:"},
            {OptionsCategory::CLI_COMMANDS, "CLI Commands:"},
        };
        usage += std::string(titles.at(category)) + "\n\n";
        for (const auto& [name, arg] : args) {
            if (!show_debug && (arg.flags & DEBUG_ONLY)) continue;
            usage += "  " + name + arg.help_param + "\n       " + FormatParagraph(arg.help_text, 79 - 7, 7) + "\n\n";
        }
    }
    return usage;
}

std::vector<std::string> ArgsManager::GetConfigWarnings() const
{
    util::RecursiveLock lock(m_mutex);
    std::vector<std::string> warnings;
    for (const auto& key : m_ignored_keys) warnings.push_back("Ignoring unknown configuration value " + key);
    static const char* known[] = {"main", "test", "testnet4", "signet", "regtest"};
    for (const auto& section : m_config_sections) {
        if (std::find(std::begin(known), std::end(known), section) == std::end(known)) {
            warnings.push_back("Section [" + section + "] is not recognized.");
        }
    }
    if (!m_network.empty() && m_network != "main") {
        auto top = m_config.find("");
        if (top != m_config.end()) {
            for (const auto& [name, vals] : top->second) {
                if (UseDefaultSectionLocked(name)) continue;
                auto sec = m_config.find(m_network);
                const bool in_section = sec != m_config.end() && sec->second.contains(name);
                if (!in_section && !m_command_line.contains(name)) {
                    warnings.push_back("Config setting for -" + name + " only applied on " + m_network +
                                       " network when in [" + m_network + "] section.");
                }
            }
        }
    }
    return warnings;
}

std::vector<std::string> ArgsManager::DescribeArgs() const
{
    util::RecursiveLock lock(m_mutex);
    std::vector<std::string> lines;
    auto describe = [&](const std::string& prefix, const std::string& section,
                        const std::map<std::string, Values>& values) REQUIRES(m_mutex) {
        for (const auto& [name, vals] : values) {
            const auto flags = GetArgFlagsLocked("-" + name);
            for (const auto& v : vals) {
                std::string shown = flags && (*flags & SENSITIVE) ? "****" : "\"" + SettingToString(v) + "\"";
                if (std::holds_alternative<bool>(v) && !(flags && (*flags & SENSITIVE)))
                    shown = SettingToString(v) == "1" ? "true" : "false";
                lines.push_back(prefix + " " + (section.empty() ? "" : "[" + section + "] ") + name + "=" + shown);
            }
        }
    };
    for (const auto& [section, values] : m_config) describe("Config file arg:", section, values);
    describe("Command-line arg:", "", m_command_line);
    return lines;
}

bool HelpRequested(const ArgsManager& args)
{
    return args.IsArgSet("-?") || args.IsArgSet("-h") || args.IsArgSet("-help") || args.IsArgSet("-help-debug");
}

void SetupHelpOptions(ArgsManager& args)
{
    args.AddArg("-help", "Print this help message and exit (also -h or -?)", ArgsManager::ALLOW_ANY,
                OptionsCategory::OPTIONS);
    args.AddArg("-help-debug", "Print help message with debugging options and exit", ArgsManager::ALLOW_ANY,
                OptionsCategory::DEBUG_TEST);
    args.AddHiddenArgs({"-h", "-?"});
}

void SetupChainParamsOptions(ArgsManager& args)
{
    args.AddArg("-chain=<chain>",
                "Use the chain <chain> (default: main). Allowed values: main, test, testnet4, signet, regtest",
                ArgsManager::ALLOW_ANY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-regtest",
                "Enter regression test mode, which uses a special chain in which blocks can be solved instantly. "
                "This is intended for regression testing tools and app development. Equivalent to -chain=regtest.",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet", "Use the testnet3 chain. Equivalent to -chain=test.", ArgsManager::ALLOW_ANY,
                OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet4", "Use the testnet4 chain. Equivalent to -chain=testnet4.", ArgsManager::ALLOW_ANY,
                OptionsCategory::CHAINPARAMS);
    args.AddArg("-signet", "Use the signet chain. Equivalent to -chain=signet.", ArgsManager::ALLOW_ANY,
                OptionsCategory::CHAINPARAMS);
}

} // namespace util
