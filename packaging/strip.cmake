# CPack runs this (CPACK_PRE_BUILD_SCRIPTS) on the staged files before it makes the .deb: strips the
# binary as Debian's dh_strip does, dropping the symbols and the .comment and .note sections too
# (CPACK_STRIP_FILES runs plain `strip`, which keeps them).
file(GLOB_RECURSE _binaries "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/bin/stampede")
if(NOT _binaries)
  message(FATAL_ERROR "strip.cmake: no bin/stampede under ${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
endif()
foreach(_binary IN LISTS _binaries)
  execute_process(
    COMMAND "${CPACK_STAMPEDE_STRIP}" --remove-section=.comment --remove-section=.note "${_binary}"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "strip.cmake: ${CPACK_STAMPEDE_STRIP} failed on ${_binary}: ${_rc}")
  endif()
endforeach()
