# Fails when a source file includes a header from a layer it may not depend on.
# Allowed: consensus -> (nothing of ours); net -> consensus; wallet -> consensus;
# node -> consensus, net, wallet interfaces are implemented by node.
set(rules
  "consensus:net/|node/|wallet/"
  "net:node/|wallet/"
  "wallet:net/|node/")
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
