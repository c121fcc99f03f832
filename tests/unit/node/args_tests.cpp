// ArgsManager: Core's command-line and conf-file semantics; data directory helpers; logging.
#include "util/args.h"
#include "util/fs_util.h"
#include "util/logging.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

using util::ArgsManager;
using util::OptionsCategory;

namespace {

void Setup(ArgsManager& args)
{
    util::SetupHelpOptions(args);
    util::SetupChainParamsOptions(args);
    const unsigned any = ArgsManager::ALLOW_ANY;
    args.AddArg("-datadir=<dir>", "", any, OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>", "", any, OptionsCategory::OPTIONS);
    args.AddArg("-foo", "", any, OptionsCategory::OPTIONS);
    args.AddArg("-bar=<n>", "", any, OptionsCategory::OPTIONS);
    args.AddArg("-connect=<ip>", "", any | ArgsManager::NETWORK_ONLY, OptionsCategory::CONNECTION);
    args.AddArg("-rpcport=<port>", "", any | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcpassword=<pw>", "", any | ArgsManager::SENSITIVE, OptionsCategory::RPC);
    args.AddArg("-nonneg", "", any | ArgsManager::DISALLOW_NEGATION, OptionsCategory::OPTIONS);
}

bool Parse(ArgsManager& args, std::vector<const char*> argv, std::string& error)
{
    argv.insert(argv.begin(), "minicashd");
    return args.ParseParameters(static_cast<int>(argv.size()), argv.data(), error);
}

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        char tmpl[] = "/tmp/minicash_args_XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

} // namespace

TEST_CASE("ParseParameters reads values, bare flags, negations and double dashes", "[node]")
{
    ArgsManager args;
    Setup(args);
    std::string error;
    REQUIRE(Parse(args, {"-foo", "--bar=7", "-connect=a", "-connect=b"}, error));
    CHECK(args.GetArg("-foo") == std::optional<std::string>(""));
    CHECK(args.GetBoolArg("-foo", false));
    CHECK(args.GetIntArg("-bar", 0) == 7);
    CHECK(args.GetArg("-bar", "") == "7");
    CHECK(args.GetArgs("-connect") == std::vector<std::string>{"a", "b"});
    CHECK_FALSE(args.IsArgSet("-rpcport"));
    CHECK(args.GetIntArg("-rpcport", 18443) == 18443);

    ArgsManager neg;
    Setup(neg);
    REQUIRE(Parse(neg, {"-connect=a", "-noconnect", "-nofoo"}, error));
    CHECK(neg.IsArgSet("-foo"));
    CHECK(neg.IsArgNegated("-foo"));
    CHECK_FALSE(neg.GetBoolArg("-foo", true));
    CHECK(neg.GetArg("-foo", "x") == "0");
    CHECK(neg.GetArgs("-connect").empty());

    ArgsManager dbl;
    Setup(dbl);
    REQUIRE(Parse(dbl, {"-nofoo=0"}, error));
    CHECK(dbl.GetBoolArg("-foo", false)); // discouraged double negative means true
}

TEST_CASE("ParseParameters rejects unknown, sectioned and forbidden options", "[node]")
{
    std::string error;
    {
        ArgsManager args;
        Setup(args);
        CHECK_FALSE(Parse(args, {"-unknown=1"}, error));
        CHECK(error == "Invalid parameter -unknown=1");
    }
    {
        ArgsManager args;
        Setup(args);
        CHECK_FALSE(Parse(args, {"-regtest.foo=1"}, error));
        CHECK(error == "Invalid parameter -regtest.foo=1");
    }
    {
        ArgsManager args;
        Setup(args);
        CHECK_FALSE(Parse(args, {"-nononneg"}, error));
        CHECK(error == "Negating of -nonneg is meaningless and therefore forbidden");
    }
    {
        ArgsManager args;
        Setup(args);
        CHECK_FALSE(Parse(args, {"getblockcount"}, error));
        CHECK(error.find("unexpected token 'getblockcount'") != std::string::npos);
    }
}

TEST_CASE("Positional arguments are kept for the CLI, including later dash arguments", "[node]")
{
    ArgsManager args;
    Setup(args);
    args.SetAllowPositional(true);
    std::string error;
    REQUIRE(Parse(args, {"-foo", "getblockhash", "0", "-bar=1"}, error));
    CHECK(args.GetPositionalArgs() == std::vector<std::string>{"getblockhash", "0", "-bar=1"});
    CHECK_FALSE(args.IsArgSet("-bar"));
}

TEST_CASE("Chain shortcuts select the chain and more than one is an error", "[node]")
{
    std::string error;
    {
        ArgsManager args;
        Setup(args);
        REQUIRE(Parse(args, {}, error));
        CHECK(args.GetChainType() == util::ChainType::MAIN);
    }
    {
        ArgsManager args;
        Setup(args);
        REQUIRE(Parse(args, {"-regtest"}, error));
        CHECK(args.GetChainType() == util::ChainType::REGTEST);
    }
    {
        ArgsManager args;
        Setup(args);
        REQUIRE(Parse(args, {"-chain=testnet4"}, error));
        CHECK(args.GetChainType() == util::ChainType::TESTNET4);
    }
    {
        ArgsManager args;
        Setup(args);
        REQUIRE(Parse(args, {"-testnet", "-signet"}, error));
        CHECK_THROWS_WITH(args.GetChainType(), Catch::Contains("Can use at most one"));
    }
    {
        ArgsManager args;
        Setup(args);
        REQUIRE(Parse(args, {"-chain=nonsense"}, error));
        CHECK_THROWS_WITH(args.GetChainType(), "Unknown chain nonsense.");
    }
}

TEST_CASE("Conf sections apply only to their chain and the command line wins", "[node]")
{
    ArgsManager args;
    Setup(args);
    std::string error;
    REQUIRE(Parse(args, {"-bar=1"}, error));
    const char* conf = "# comment\n"
                       "regtest=1\n"
                       "foo=1   # trailing comment\n"
                       "bar=5\n"
                       "rpcport=1234\n"
                       "connect=top\n"
                       "[main]\n"
                       "rpcport=9999\n"
                       "[regtest]\n"
                       "connect=reg1\n"
                       "connect=reg2\n"
                       "[test]\n"
                       "foo=0\n";
    REQUIRE(args.ReadConfigString(conf, error));
    CHECK(args.GetChainType() == util::ChainType::REGTEST);
    CHECK(args.GetBoolArg("-foo", false));
    CHECK(args.GetIntArg("-bar", 0) == 1); // command line overrides conf
    // rpcport is network-only: the top section does not apply to regtest, [main] neither.
    CHECK_FALSE(args.IsArgSet("-rpcport"));
    CHECK(args.GetArgs("-connect") == std::vector<std::string>{"reg1", "reg2"});
    const auto warnings = args.GetConfigWarnings();
    CHECK(std::find(warnings.begin(), warnings.end(),
                    "Config setting for -rpcport only applied on regtest network when in [regtest] section.") !=
          warnings.end());
}

TEST_CASE("Conf files report Core's parse errors and ignore unknown keys with a warning", "[node]")
{
    ArgsManager args;
    Setup(args);
    std::string error;
    CHECK_FALSE(args.ReadConfigString("-foo=1\n", error));
    CHECK(error == "parse error on line 1: -foo=1, options in configuration file must be specified without leading -");
    CHECK_FALSE(args.ReadConfigString("\nnofoo\n", error));
    CHECK(error == "parse error on line 2: nofoo, if you intended to specify a negated option, use nofoo=1 instead");
    CHECK_FALSE(args.ReadConfigString("rpcpassword=a#b\n", error));
    CHECK(error == "parse error on line 1, using # in rpcpassword can be ambiguous and should be avoided");
    CHECK_FALSE(args.ReadConfigString("unknownkey=1\n", error, /*ignore_invalid_keys=*/false));
    CHECK(error == "Invalid configuration value unknownkey");
    REQUIRE(args.ReadConfigString("unknownkey=1\n[weird]\nfoo=1\n", error));
    const auto warnings = args.GetConfigWarnings();
    CHECK(std::find(warnings.begin(), warnings.end(), "Ignoring unknown configuration value unknownkey") !=
          warnings.end());
    CHECK(std::find(warnings.begin(), warnings.end(), "Section [weird] is not recognized.") != warnings.end());
}

TEST_CASE("ReadConfigFiles reads minicash.conf from -datadir and fails for a missing datadir", "[node]")
{
    TempDir dir;
    {
        std::ofstream f(dir.path / "minicash.conf");
        f << "chain=regtest\n[regtest]\nrpcport=18555\n";
    }
    ArgsManager args;
    Setup(args);
    std::string error;
    const std::string datadir_arg = "-datadir=" + dir.path.string();
    REQUIRE(Parse(args, {datadir_arg.c_str()}, error));
    REQUIRE(args.ReadConfigFiles(error));
    CHECK(args.GetChainType() == util::ChainType::REGTEST);
    CHECK(args.GetIntArg("-rpcport", 0) == 18555);
    std::filesystem::path net;
    REQUIRE(util::GetDataDirNet(args, net, error));
    CHECK(net == dir.path / "regtest");

    ArgsManager missing;
    Setup(missing);
    const std::string bad = "-datadir=" + (dir.path / "nope").string();
    REQUIRE(Parse(missing, {bad.c_str()}, error));
    CHECK_FALSE(missing.ReadConfigFiles(error));
    CHECK(error ==
          "Specified data directory \"" + (dir.path / "nope").string() + "\" does not exist."); // Core's capital S

    ArgsManager explicit_conf;
    Setup(explicit_conf);
    const std::string conf = "-conf=" + (dir.path / "absent.conf").string();
    REQUIRE(Parse(explicit_conf, {datadir_arg.c_str(), conf.c_str()}, error));
    CHECK_FALSE(explicit_conf.ReadConfigFiles(error));
    CHECK(error.find("could not be opened") != std::string::npos);
}

TEST_CASE("includeconf reads one level of included files and ignores their own includes with Core's warning", "[node]")
{
    TempDir dir;
    {
        std::ofstream(dir.path / "minicash.conf") << "includeconf=first.conf\n";
        std::ofstream(dir.path / "first.conf") << "bar=7\nincludeconf=second.conf\n";
        std::ofstream(dir.path / "second.conf") << "foo=1\n";
    }
    ArgsManager args;
    Setup(args);
    args.AddArg("-includeconf=<file>", "", ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    std::string error;
    const std::string datadir_arg = "-datadir=" + dir.path.string();
    REQUIRE(Parse(args, {datadir_arg.c_str()}, error));
    // Capture stderr around the read.
    const std::filesystem::path err_path = dir.path / "stderr.txt";
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    FILE* capture = std::fopen(err_path.c_str(), "w");
    REQUIRE(capture);
    ::dup2(::fileno(capture), STDERR_FILENO);
    const bool ok = args.ReadConfigFiles(error);
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::fclose(capture);
    REQUIRE(ok);
    CHECK(args.GetIntArg("-bar", 0) == 7); // from the included file
    CHECK_FALSE(args.IsArgSet("-foo"));    // the nested include was not read
    std::ifstream in(err_path);
    const std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(err.find("warning: -includeconf cannot be used from included files; ignoring -includeconf=second.conf") !=
          std::string::npos);
}

TEST_CASE("Help lists visible options by category and hides debug-only ones", "[node]")
{
    ArgsManager args;
    Setup(args);
    const std::string help = args.GetHelpMessage();
    CHECK(help.find("Options:") != std::string::npos);
    CHECK(help.find("  -bar=<n>") != std::string::npos);
    CHECK(help.find("Chain selection options:") != std::string::npos);
    CHECK(help.find("-regtest") == std::string::npos); // DEBUG_ONLY
    CHECK(help.find("  -h\n") == std::string::npos);   // hidden
}

TEST_CASE("DescribeArgs masks sensitive values", "[node]")
{
    ArgsManager args;
    Setup(args);
    std::string error;
    REQUIRE(Parse(args, {"-rpcpassword=hunter2", "-bar=3"}, error));
    std::string all;
    for (const auto& l : args.DescribeArgs()) all += l + "\n";
    CHECK(all.find("hunter2") == std::string::npos);
    CHECK(all.find("rpcpassword=****") != std::string::npos);
    CHECK(all.find("bar=\"3\"") != std::string::npos);
}

TEST_CASE("Integer and bool values are read as Core's atoi reads them, surrounding whitespace included", "[node]")
{
    using util::InterpretBool;
    using util::ParseIntLenient;
    // Found by fuzz_args: a command-line value with blanks around the number read as 0.
    CHECK(ParseIntLenient(" +42x") == 42);
    CHECK(ParseIntLenient("\t-7\n") == -7);
    CHECK(ParseIntLenient(" \f\v\r 12 ") == 12);
    CHECK(ParseIntLenient("  ") == 0);
    CHECK(ParseIntLenient("+-1") == 0);
    CHECK(ParseIntLenient(" 99999999999999999999") == std::numeric_limits<int64_t>::max());
    CHECK(ParseIntLenient("-99999999999999999999 ") == std::numeric_limits<int64_t>::min());
    CHECK(ParseIntLenient("1 2") == 1);
    CHECK(InterpretBool(" 1"));
    CHECK_FALSE(InterpretBool(" 0 "));

    ArgsManager args;
    Setup(args);
    std::string error;
    REQUIRE(Parse(args, {"-bar= 3", "-foo= 0"}, error));
    CHECK(args.GetIntArg("-bar", 0) == 3);
    CHECK_FALSE(args.GetBoolArg("-foo", true));
}

TEST_CASE("The data directory lock is exclusive and released with its object", "[node]")
{
    TempDir dir;
    std::string error;
    auto lock = util::LockDataDirectory(dir.path, error);
    REQUIRE(lock);
    auto second = util::LockDataDirectory(dir.path, error);
    CHECK_FALSE(second);
    CHECK(error.find("Cannot obtain a lock on data directory") != std::string::npos);
    CHECK(error.find("is probably already running.") != std::string::npos);
    lock.reset();
    CHECK(util::LockDataDirectory(dir.path, error));
}

TEST_CASE("WriteFileAtomic writes owner-only files", "[node]")
{
    TempDir dir;
    std::string error;
    const auto path = dir.path / "secret";
    REQUIRE(util::WriteFileAtomic(path, "abc", error));
    CHECK(util::ReadFileToString(path) == std::optional<std::string>("abc"));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST_CASE("FsyncPath flushes files and folders and names what it cannot open", "[node]")
{
    TempDir dir;
    std::string error;
    REQUIRE(util::WriteFileAtomic(dir.path / "f", "abc", error));
    CHECK(util::FsyncPath(dir.path / "f", error));
    CHECK(util::FsyncPath(dir.path, error));
    CHECK(error.empty());
    CHECK_FALSE(util::FsyncPath(dir.path / "missing", error));
    CHECK(error.find("missing") != std::string::npos);
}

TEST_CASE("The logger prefixes timestamps and categories and filters debug lines", "[node]")
{
    TempDir dir;
    auto& logger = util::GetLogger();
    std::string error;
    REQUIRE(logger.OpenDebugLog(dir.path / "debug.log", error));
    logger.DisableCategory("all");
    REQUIRE(logger.EnableCategory("rpc"));
    CHECK_FALSE(logger.EnableCategory("nonsense"));
    util::LogPrintf("hello %d", 42);
    util::LogDebug(util::LogCategory::RPC, "rpc line");
    util::LogDebug(util::LogCategory::NET, "net line");
    logger.Close();
    logger.DisableCategory("all");
    const std::string text = util::ReadFileToString(dir.path / "debug.log").value_or("");
    CHECK(text.find("hello 42\n") != std::string::npos);
    CHECK(text.find("Z [rpc] rpc line\n") != std::string::npos);
    CHECK(text.find("net line") == std::string::npos);
    CHECK(util::FormatIso8601(0) == "1970-01-01T00:00:00Z");
}

TEST_CASE("log timestamps with and without -logtimemicros", "[node][logging]")
{
    using std::chrono::microseconds;
    const std::chrono::system_clock::time_point t{microseconds{1'764'806'400'123'456}};
    CHECK(util::FormatLogTime(t, false) == "2025-12-04T00:00:00Z");
    CHECK(util::FormatLogTime(t, true) == "2025-12-04T00:00:00.123456Z");
    CHECK(util::FormatLogTime(std::chrono::system_clock::time_point{microseconds{7}}, true) ==
          "1970-01-01T00:00:00.000007Z");
}
