# Fails when a source file includes a header from a layer it may not depend on.
# Allowed: util -> (nothing of ours); consensus -> util; common -> consensus, util;
# net -> consensus, util; wallet -> common, consensus, util; node -> everything below it
# (wallet interfaces are implemented by node). Inside node: node/http (the server transport)
# knows no chain, storage or RPC methods; node/cli (the client) includes nothing of node but
# itself, so minicash-cli links util, common and consensus only (node/CMakeLists.txt checks the
# link too).
set(rules
  "util:consensus/|common/|net/|node/|wallet/"
  "consensus:common/|net/|node/|wallet/"
  "common:net/|node/|wallet/"
  "net:common/|node/|wallet/"
  "wallet:net/|node/"
  "node/http:node/chain/|node/storage/|node/index/|node/rpc/|node/cli/|node/init|net/|wallet/"
  "node/cli:node/chain/|node/storage/|node/index/|node/rpc/|node/http/|node/init|net/|wallet/")
set(bad "")
foreach(rule ${rules})
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 layer)
  list(GET parts 1 forbidden)
  file(GLOB_RECURSE files "${SRC}/${layer}/*.h" "${SRC}/${layer}/*.cpp")
  foreach(f ${files})
    file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"(${forbidden})")
    if(lines)
      string(APPEND bad "\n  ${f}: ${lines}")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "Layer violation (see docs/ARCHITECTURE.md):${bad}")
endif()
