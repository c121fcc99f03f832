// The RPC method table: registration with argument specs and help, named -> positional
// parameter conversion, type checks, the warm-up gate, and the built-in control methods
// (help, stop, uptime, getrpcinfo). Transport-independent: the HTTP server
// (node/http/jsonrpc.h) calls Execute, as tests may.
#pragma once

#include "common/rpc/json.h"
#include "common/rpc/protocol.h"
#include "util/sync.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace common::rpc {

/** Declared type of an RPC argument (checked before the handler runs, as Core). */
enum class RpcArgType {
    STR,     // JSON string
    STR_HEX, // JSON string holding hex
    NUM,     // JSON number
    AMOUNT,  // number or string, parsed by AmountFromValue
    BOOL,    // true/false
    OBJ,     // JSON object
    ARR,     // JSON array
    ANY,     // not checked
};

/**
 * One argument of a method. name may hold aliases separated by '|' ("verbosity|verbose").
 * Every member has a default so designated initialisers may leave any of them out.
 */
struct RpcArg {
    std::string name{};
    RpcArgType type{RpcArgType::STR};
    bool optional{false};
    std::string default_text{}; // shown as "default=..." in help; empty for none (write JSON strings quoted, as Core)
    std::string description{};
    std::vector<RpcArg> inner{}; // members of an OBJ argument, elements of an ARR argument (help only)
    bool skip_type_check{false}; // as Core's RPCArgOptions::skip_type_check: the handler checks the value
    std::string type_str{};      // help type instead of the one derived from type ("string or numeric")
    bool hidden{false};          // left out of help, with every argument after it (Core's RPCArgOptions::hidden)
};

/** Declared type of a result value (Core's RPCResult::Type). */
enum class RpcResultType {
    OBJ,        // JSON object with the members listed in inner
    OBJ_DYN,    // JSON object whose keys are data; inner[0] describes every value
    ARR,        // JSON array; inner describes the elements (one entry: all elements alike)
    ARR_FIXED,  // JSON array with exactly the elements listed in inner, in order
    STR,        // string
    STR_HEX,    // string holding hex
    STR_AMOUNT, // number in BTC (Core calls it "numeric" in help)
    NUM,        // number
    NUM_TIME,   // number: UNIX epoch time
    BOOL,       // true/false
    NONE,       // JSON null (only at the top level)
    ANY,        // not checked
    ELISION,    // "..." in help: more of the same; not checked
};

/**
 * One value of a method's result, as declared for help and checked in tests (the same
 * table renders `help <method>` and is compared against what the handler returns, so the
 * two cannot drift). A method may declare several top-level results, each with a
 * condition ("for verbosity = 0"), as Core's "Result (for verbosity = 0):" sections.
 */
struct RpcResult {
    RpcResultType type{RpcResultType::ANY};
    std::string key{}; // member name inside an OBJ; empty at the top or in an ARR
    std::string description{};
    std::vector<RpcResult> inner{}; // members of OBJ/OBJ_DYN, elements of ARR/ARR_FIXED
    bool optional{false};           // the member may be absent
    std::string cond{};             // top level only: the condition of this alternative

    /**
     * Core's RPCResult::MatchesType: true when value has the declared shape (recursively: an
     * OBJ has every non-optional key and no undeclared one, each with its declared type; ARR
     * elements match inner, the last entry of inner describing any further ones), otherwise a
     * JSON description of what differs, keyed by member name or array index.
     */
    Json MatchesType(const Json& value) const;
};

/** One parsed JSON-RPC call. Plain data; handlers receive it by const reference. */
struct RpcRequest {
    // null until Parse reads the request (as Core's JSONRPCRequest), so a reply to a body that never
    // parsed carries "id": null; nullopt after Parse: a 2.0 notification, or a legacy call without id.
    std::optional<Json> id = Json();
    std::string method;
    Json params = Json::array(); // positional by the time a handler sees it
    std::string uri = "/";       // HTTP target ("/wallet/<name>" selects a wallet)
    std::string auth_user;       // authenticated user name (never the password)
    std::string peer_addr;       // "ip:port" of the client
    JsonRpcVersion json_version{JsonRpcVersion::V1_LEGACY};
    // Keys repeated in a named "params" object (the parser kept their first values); Execute
    // then fails as Core's transformNamedArguments: -8 "Parameter <key> specified multiple times".
    std::vector<std::string> repeated_params;

    /** True for a 2.0 request without "id" (executed, but never answered). */
    bool IsNotification() const { return !id && json_version == JsonRpcVersion::V2; }
    /** Fills the fields from a request object; throws RpcError(RPC_INVALID_REQUEST, ...) as Core. */
    void Parse(const Json& request);
    /** The URL-decoded wallet name of a "/wallet/<name>" uri; nullopt for other uris. */
    std::optional<std::string> WalletName() const;
};

/** A method body: returns the result or throws RpcError (other exceptions become RPC_MISC_ERROR). */
using RpcHandler = std::function<Json(const RpcRequest&)>;

/** The second half of a call begun ahead (RpcBegin): returns its result or throws, as a handler. */
using RpcFinish = std::function<Json()>;

/**
 * A call begun ahead: its finish, and optionally wait_ready, which returns once the finish would
 * not wait. Calls begun in a row that become ready in the order begun (jobs queued in order on
 * the validation owner) let a batch wait once for several: it waits for a later call, then
 * finishes those before it without sleeping on each. wait_ready must not depend on the finishes
 * of the calls begun before it.
 */
struct RpcBegun {
    explicit RpcBegun(RpcFinish f, std::function<void()> wait = {}) : finish(std::move(f)), wait_ready(std::move(wait))
    {}
    RpcFinish finish;
    std::function<void()> wait_ready;
};

/**
 * A method's optional first half, for a method whose calls give the same results whether or not
 * the calls before them in a JSON-RPC batch have finished: whatever an earlier call can change,
 * the begin leaves to work that runs after that call's (sendrawtransaction: the whole judgement
 * queues on the validation owner in the order begun, the scripts checked meanwhile on worker
 * threads). A batch begins a run of such calls ahead, then finishes them in order, so their
 * work overlaps. Returns the finish (RpcBegun), or throws RpcError as a handler would.
 */
using RpcBegin = std::function<RpcBegun(const RpcRequest&)>;

/**
 * A method: where it is listed, its arguments, its help, its handler and its declared results.
 * Register new methods with designated initialisers in this field order.
 */
struct RpcMethod {
    std::string category{}; // "blockchain", "control", "mining", ... ("== Blockchain ==" in help)
    std::string name{};
    std::vector<RpcArg> args{};
    std::string description{}; // what it does (help body)
    std::string examples{};    // the "Examples:" section (HelpExampleCli + HelpExampleRpc lines), optional
    RpcHandler handler{};
    std::vector<RpcResult> results{}; // declared results (alternatives carry a cond); see RpcResult
    RpcBegin begin{};                 // optional: how a batch begins a call ahead (see RpcBegin)

    /** "name arg1 ( optional )", the first line of its help. */
    std::string Signature() const;
    /** The full text that `help <name>` prints, in Core's layout (see help.cpp). */
    std::string HelpText() const;
    /**
     * Core's -rpcdoccheck: nullopt when result matches one of the declared results, else the
     * explanation (the mismatch of the only alternative, or an array of all mismatches).
     */
    std::optional<std::string> CheckResult(const Json& result) const;
};

/** Core's HelpExampleCli: "> minicash-cli <method> <args>\n". */
std::string HelpExampleCli(const std::string& method, const std::string& args);
/** Core's HelpExampleRpc: the curl line of a JSON-RPC 2.0 call with positional params. */
std::string HelpExampleRpc(const std::string& method, const std::string& args);

/**
 * The table of RPC methods. Register during start-up; Execute may then be called from any
 * number of threads (registration takes an exclusive lock, execution a shared one).
 */
class RpcTable {
public:
    /** Creates the table with help, stop, uptime and getrpcinfo registered. */
    RpcTable();

    /** Adds a method; false when the name is already taken (the table is unchanged). */
    bool Register(RpcMethod method) EXCLUDES(m_table_mutex);
    /** Removes a method; false when absent. Calls already running finish normally. */
    bool Unregister(const std::string& name) EXCLUDES(m_table_mutex);
    /** Names of all methods, sorted. */
    std::vector<std::string> ListCommands() const EXCLUDES(m_table_mutex);

    /**
     * Runs one call: warm-up gate, lookup (RPC_METHOD_NOT_FOUND "Method not found"), named ->
     * positional conversion, count and type checks, then the handler. Throws RpcError.
     */
    Json Execute(const RpcRequest& request) const EXCLUDES(m_table_mutex, m_state_mutex);

    /**
     * Execute's first half for a method with a begin (RpcBegin): the same gate, lookup and
     * checks, then begin; the call counts as active (getrpcinfo) until its finish returns or is
     * destroyed. nullopt when the method has none (the caller executes it at its turn); throws
     * what Execute would throw before its handler. The finish refers to this table: call or
     * destroy it before the table goes (ProcessJsonRpcBody does, within the request).
     */
    std::optional<RpcBegun> Begin(const RpcRequest& request) const EXCLUDES(m_table_mutex, m_state_mutex);

    /**
     * `help` text: the overview grouped by category (without "hidden" methods), or one method's
     * help (hidden ones too, as Core), or "help: unknown command: <name>".
     */
    std::string Help(const std::string& method = "") const EXCLUDES(m_table_mutex);

    /**
     * While warmup is true every method but help and stop fails with RPC_IN_WARMUP and
     * status as the message (e.g. "Loading block index…"). Thread-safe.
     */
    void SetWarmup(bool warmup, const std::string& status = "") EXCLUDES(m_state_mutex);
    /** True while in warm-up; status receives the message. Thread-safe. */
    bool IsInWarmup(std::string* status = nullptr) const EXCLUDES(m_state_mutex);

    /** Called (once per `stop` call, on a worker thread) to request shutdown; must not block or join the server. */
    void SetShutdownCallback(std::function<void()> callback) EXCLUDES(m_state_mutex);
    /** The path getrpcinfo reports as "logpath". */
    void SetLogPath(const std::filesystem::path& path) EXCLUDES(m_state_mutex);
    /**
     * Core's -rpcdoccheck: when on, every result is checked against its method's declared
     * results and a mismatch fails the call with RPC_MISC_ERROR "Internal bug detected: RPC
     * call \"name\" returned incorrect type: ..." naming the offending keys. Set before serving.
     */
    void SetDocCheck(bool enabled) EXCLUDES(m_state_mutex);

private:
    struct ActiveCommand {
        std::string method;
        std::chrono::steady_clock::time_point start;
    };
    /** getrpcinfo's entry for a running call, from construction to destruction. */
    class ActiveCall;
    void RegisterBuiltins();
    /** The gate and the lookup (Execute's first steps). */
    std::shared_ptr<const RpcMethod> Find(const RpcRequest& request) const EXCLUDES(m_table_mutex, m_state_mutex);
    Json ExecuteMethod(const RpcMethod& method, const RpcRequest& request) const EXCLUDES(m_table_mutex, m_state_mutex);
    /** -rpcdoccheck on a handler's result: throws on a mismatch, else returns it. */
    Json CheckedResult(const RpcMethod& method, Json result) const EXCLUDES(m_state_mutex);

    mutable util::SharedMutex m_table_mutex; // held only for lookups, never while a handler runs
    std::map<std::string, std::shared_ptr<const RpcMethod>> m_methods GUARDED_BY(m_table_mutex);

    mutable util::Mutex m_state_mutex;
    bool m_warmup GUARDED_BY(m_state_mutex){false};
    std::string m_warmup_status GUARDED_BY(m_state_mutex);
    std::function<void()> m_shutdown GUARDED_BY(m_state_mutex);
    std::filesystem::path m_log_path GUARDED_BY(m_state_mutex);
    bool m_doc_check GUARDED_BY(m_state_mutex){false};
    mutable std::list<ActiveCommand> m_active GUARDED_BY(m_state_mutex);
    const std::chrono::steady_clock::time_point m_start_time{std::chrono::steady_clock::now()};
};

/**
 * Converts named parameters (an object) to positional ones following args (aliases allowed,
 * gaps filled with null, an "args" array supplies leading positional values). Throws
 * RpcError(RPC_INVALID_PARAMETER, "Unknown named parameter x") and Core's other messages.
 */
Json NamedToPositional(const Json& named, const std::vector<RpcArg>& args);

} // namespace common::rpc
