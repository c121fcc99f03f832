// mockscheduler (Core's rpc/node.cpp): moves the node's scheduler forward on regtest, so a test
// sees what runs every hour (the fee_estimates.dat flush) without waiting.
#include "node/rpc/register.h"

#include "common/rpc/declare.h"
#include "common/rpc/util.h"
#include "util/scheduler.h"

namespace node::rpc {

using namespace common::rpc;

void RegisterSchedulerRpc(RpcTable& table, util::Scheduler& scheduler, bool mockable)
{
    table.Register(RpcMethod{.category = "hidden",
                             .name = "mockscheduler",
                             .args = {Arg("delta_time", RpcArgType::NUM, false, "",
                                          "Number of seconds to forward the scheduler into the future.")},
                             .description = "Bump the scheduler into the future (-regtest only)\n",
                             .examples = "",
                             .handler = [&scheduler, mockable](const RpcRequest& req) -> Json {
                                 if (!mockable)
                                     throw RpcError(RPC_MISC_ERROR,
                                                    "mockscheduler is for regression testing (-regtest) only");
                                 const int64_t delta = GetInt(req.params[0]);
                                 if (delta <= 0 || delta > 3600)
                                     throw RpcError(RPC_MISC_ERROR, "delta_time must be between 1 and 3600");
                                 scheduler.MockForward(std::chrono::seconds(delta));
                                 return nullptr;
                             },
                             .results = {{.type = RpcResultType::NONE}}});
}

} // namespace node::rpc
