// The HTTP/1.1 JSON-RPC server (Boost.Beast behind a pimpl, so including this is cheap).
// One I/O thread accepts, reads and writes; -rpcthreads workers execute calls taken from a
// bounded queue. Behaviour follows Core's httpserver/httprpc: see http_options.h and
// ProcessJsonRpcBody in server.h for the statuses.
#pragma once

#include "node/http/http_options.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace common::rpc {
class RpcTable;
} // namespace common::rpc

namespace node::http {

using common::rpc::RpcTable;
class RpcAuthenticator;

/**
 * Serves JSON-RPC over HTTP. The table and authenticator must outlive the server. Start and
 * Stop are called from one controlling thread; the RPC handlers run on worker threads.
 */
class HttpRpcServer {
public:
    HttpRpcServer(const RpcTable& table, const RpcAuthenticator& auth);
    /** Stops the server if it is still running. */
    ~HttpRpcServer();
    HttpRpcServer(const HttpRpcServer&) = delete;
    HttpRpcServer& operator=(const HttpRpcServer&) = delete;

    /**
     * Binds every endpoint and starts the threads. Returns "" on success, else an error such
     * as "Binding RPC on address 127.0.0.1 port 18443 failed." (nothing is left running then).
     * With the default pair only ::1 may fail (hosts without IPv6).
     */
    std::string Start(const HttpServerOptions& options);
    /**
     * Stops accepting, lets queued and running calls finish and their replies be written,
     * closes idle connections and joins all threads. Idempotent. Must not be called from an
     * RPC handler (the `stop` RPC only signals; the controlling thread calls Stop).
     */
    void Stop();
    /** Ports actually bound (useful with port 0), in bind order. */
    std::vector<uint16_t> BoundPorts() const;
    /** Requests waiting for a worker right now (diagnostics and tests). Thread-safe. */
    size_t QueuedRequests() const;

    /** Counters of the connection layer (diagnostics and tests). */
    struct Stats {
        size_t connections{0};          //!< open client connections
        size_t buffered_bytes{0};       //!< bytes held by the open connections (objects and buffers)
        size_t max_connection_bytes{0}; //!< the largest of them
        size_t auth_waiting{0};         //!< credential checks waiting behind a recent failure
        uint64_t auth_checks{0};        //!< credential checks evaluated so far
        uint64_t accept_errors{0};      //!< failed accepts (EMFILE and the like)
        uint64_t evicted{0};            //!< connections closed to make room at the cap
        uint64_t refused{0};            //!< connections closed at once at the cap
    };
    /** A snapshot taken on the I/O thread; zeros when the server is not running. Thread-safe. */
    Stats GetStats() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace node::http
