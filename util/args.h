// Command-line and configuration-file options with Bitcoin Core's semantics: -name=value,
// -name, -noname, --name, repeated values, [chain] sections in the conf file, chain selection.
#pragma once

#include "util/chaintype.h"
#include "util/sync.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace util {

/** Groups of options in -help output, printed in this order. */
enum class OptionsCategory {
    OPTIONS,
    CONNECTION,
    DEBUG_TEST,
    NODE_RELAY,
    BLOCK_CREATION,
    RPC,
    WALLET,
    CHAINPARAMS,
    CLI_COMMANDS,
    HIDDEN, // never printed
};

/** Name of the default configuration file inside the data directory. */
inline constexpr const char* MINICASH_CONF_FILENAME = "minicash.conf";

/**
 * Holds the options of one process: the registry of known options, the command line, the
 * configuration file and forced values. All methods are thread-safe (one internal mutex).
 * Lookups follow Core: forced > command line > conf [chain] section > conf top section.
 */
class ArgsManager {
public:
    /** Option flags, as Core's. */
    enum Flags : unsigned {
        ALLOW_ANY = 0x01,         // any value: string, int or bool
        DISALLOW_NEGATION = 0x20, // -nofoo is an error
        DISALLOW_ELISION = 0x40,  // -foo without =value is an error
        DEBUG_ONLY = 0x100,       // shown only with -help-debug
        NETWORK_ONLY = 0x200,     // from the conf top section only for mainnet
        SENSITIVE = 0x400,        // value never logged (passwords)
    };

    /** A value as stored: a string, or true/false for -name / -noname forms. */
    using Setting = std::variant<std::string, bool>;

    /**
     * Registers an option. name is "-name" optionally followed by its help parameter,
     * e.g. "-rpcport=<port>". Registering the same name twice throws std::logic_error.
     */
    void AddArg(const std::string& name, const std::string& help, unsigned flags, OptionsCategory category);
    /** Registers options that are accepted but never shown in -help (e.g. "-h", "-?"). */
    void AddHiddenArgs(const std::vector<std::string>& names);
    /**
     * Whether arguments that do not start with '-' are accepted as positional (the CLI's
     * method and parameters). Default false: the daemon rejects them. Call before parsing.
     */
    void SetAllowPositional(bool allow);

    /**
     * Parses argv[1..argc). Unknown options, "-section.name" forms, forbidden negations and
     * (unless allowed) positional arguments fail: returns false with a message in error,
     * e.g. "Invalid parameter -foo". Everything after the first positional argument is
     * positional too. A lone "-" stops parsing.
     */
    bool ParseParameters(int argc, const char* const argv[], std::string& error);

    /**
     * Reads the configuration file: -conf (relative paths are taken inside the data
     * directory; default minicash.conf, which may be absent) and its includeconf= files.
     * On success selects the chain's section (SelectConfigNetwork). Fails with Core's
     * messages ("parse error on line N: ...", "specified data directory ... does not exist").
     */
    bool ReadConfigFiles(std::string& error, bool ignore_invalid_keys = true);
    /**
     * Parses conf-file text (replacing earlier conf values), e.g. for tests. Unknown keys are
     * ignored with a warning (GetConfigWarnings) when ignore_invalid_keys, as Core's daemon and
     * CLI do (they share one file), else fail with "Invalid configuration value x".
     */
    bool ReadConfigString(std::string_view text, std::string& error, bool ignore_invalid_keys = true);

    /** Selects which [section] of the conf file applies ("main", "test", "regtest", ...). */
    void SelectConfigNetwork(const std::string& network);

    /** Positional arguments (CLI method and its parameters), in order. */
    std::vector<std::string> GetPositionalArgs() const;

    /** The value of -name, or nullopt when unset. -noname gives "0", bare -name gives "". */
    std::optional<std::string> GetArg(const std::string& name) const;
    /** The value of -name or default_value. */
    std::string GetArg(const std::string& name, const std::string& default_value) const;
    /** -name as an integer (Core's atoi: non-numbers give 0), or default_value when unset. */
    int64_t GetIntArg(const std::string& name, int64_t default_value) const;
    std::optional<int64_t> GetIntArg(const std::string& name) const;
    /** -name as a bool: "" and non-zero numbers are true, "0" and -noname false. */
    bool GetBoolArg(const std::string& name, bool default_value) const;
    std::optional<bool> GetBoolArg(const std::string& name) const;
    /** All values of a repeatable option (after the last negation), command line first. */
    std::vector<std::string> GetArgs(const std::string& name) const;
    /** True when -name was given in any form, including -noname. */
    bool IsArgSet(const std::string& name) const;
    /** True when the effective value is a negation (-noname). */
    bool IsArgNegated(const std::string& name) const;

    /** Sets a value that overrides every source. */
    void ForceSetArg(const std::string& name, const std::string& value);
    /** Sets a value only when unset; returns whether it was set. */
    bool SoftSetArg(const std::string& name, const std::string& value);
    bool SoftSetBoolArg(const std::string& name, bool value);

    /**
     * The selected chain from -chain=, -regtest, -testnet, -testnet4, -signet (command line
     * or conf top section). Throws std::runtime_error when several are given or the name
     * is unknown ("Unknown chain foo.").
     */
    ChainType GetChainType() const;
    /** The selected chain's name, which may be an unknown string; throws on a combination. */
    std::string GetChainTypeString() const;

    /** The text of -help: every visible option grouped by category. */
    std::string GetHelpMessage() const;
    /** Warnings after reading the conf: ignored unknown keys, unknown [sections], top-section network-only options. */
    std::vector<std::string> GetConfigWarnings() const;
    /** "Command-line arg: name=value" style lines; SENSITIVE values are shown as ****. */
    std::vector<std::string> DescribeArgs() const;

private:
    struct Arg {
        std::string help_param;
        std::string help_text;
        unsigned flags{0};
    };
    struct Key {
        std::string section;
        std::string name;
        bool negated{false};
    };
    using Values = std::vector<Setting>;

    std::optional<unsigned> GetArgFlagsLocked(const std::string& name) const REQUIRES(m_mutex);
    std::optional<Setting> GetSettingLocked(const std::string& name, bool chain_type_lookup) const REQUIRES(m_mutex);
    std::vector<Setting> GetSettingsListLocked(const std::string& name) const REQUIRES(m_mutex);
    bool UseDefaultSectionLocked(const std::string& name) const REQUIRES(m_mutex);
    bool ReadConfigStreamLocked(std::string_view text, const std::string& origin, std::string& error,
                                bool ignore_invalid) REQUIRES(m_mutex);
    std::string GetChainTypeStringLocked() const REQUIRES(m_mutex);
    static Key InterpretKey(std::string key);
    static std::optional<Setting> InterpretValue(const Key& key, const std::string* value, unsigned flags,
                                                 std::string& error);

    mutable util::RecursiveMutex m_mutex;
    std::map<OptionsCategory, std::map<std::string, Arg>> m_available GUARDED_BY(m_mutex);
    bool m_allow_positional GUARDED_BY(m_mutex){false};
    std::vector<std::string> m_positional GUARDED_BY(m_mutex);
    std::map<std::string, std::string> m_forced GUARDED_BY(m_mutex);
    std::map<std::string, Values> m_command_line GUARDED_BY(m_mutex);
    std::map<std::string, std::map<std::string, Values>> m_config GUARDED_BY(m_mutex); // section -> name -> values
    std::vector<std::string> m_config_sections GUARDED_BY(m_mutex);
    std::vector<std::string> m_ignored_keys GUARDED_BY(m_mutex);
    std::string m_network GUARDED_BY(m_mutex);
};

/** True when -help, -h, -? or -help-debug was given. */
bool HelpRequested(const ArgsManager& args);
/** Registers -help, -h, -? (hidden) and -version-independent help options. */
void SetupHelpOptions(ArgsManager& args);
/** Registers -chain, -regtest, -testnet, -testnet4, -signet (category CHAINPARAMS). */
void SetupChainParamsOptions(ArgsManager& args);
/** Core's bool interpretation: "" is true, otherwise atoi(value) != 0. */
bool InterpretBool(std::string_view value);
/**
 * Core's LocaleIndependentAtoi for int64: skips surrounding whitespace, reads the leading
 * number (one '+' or '-' allowed), 0 if none, saturates on overflow.
 */
int64_t ParseIntLenient(std::string_view value);

} // namespace util
