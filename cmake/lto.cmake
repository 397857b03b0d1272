# Link-time optimisation for a library of the core, where the toolchain can
# link what it makes, and off (saying why) where it cannot.
#
# The programs and tests that link the core are built without LTO, so the
# check builds exactly that (cmake/lto_check): an LTO archive linked into a
# plain program. clang's LTO objects are LLVM bitcode, which binutils' ld reads
# only through LLVM's gold plugin, and clang hands the plugin to the linker
# only when the link itself has -flto: so under clang the library's users link
# with -flto too, or with lld, which reads bitcode itself. Sanitizers (through
# MEMS_SANITIZE or the user's own CMAKE_C_FLAGS) turn it off: their builds are
# for finding bugs, and their runtimes and LTO do not always link together.
function(mems_enable_lto target)
  if(MEMS_SANITIZE OR CMAKE_C_FLAGS MATCHES "-fsanitize")
    message(STATUS "MeMS: link-time optimisation off (a sanitizer build)")
    return()
  endif()
  # each candidate: the link options, space-separated, the library's users get
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    list(JOIN CMAKE_C_COMPILE_OPTIONS_IPO " " lto_flag)
    set(candidates "${lto_flag}" "${lto_flag} -fuse-ld=lld")
  else()
    set(candidates "-")
  endif()
  foreach(candidate IN LISTS candidates)
    set(link_options "")
    if(NOT candidate STREQUAL "-")
      separate_arguments(link_options UNIX_COMMAND "${candidate}")
    endif()
    set(check_dir "${CMAKE_BINARY_DIR}/CMakeFiles/mems_lto_check")
    file(REMOVE_RECURSE "${check_dir}")
    try_compile(linked "${check_dir}" "${PROJECT_SOURCE_DIR}/cmake/lto_check" mems_lto_check
                CMAKE_FLAGS "-DCMAKE_C_FLAGS=${CMAKE_C_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}"
                            "-DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}" "-DUSER_LINK_OPTIONS=${candidate}"
                OUTPUT_VARIABLE output)
    set(linked_now ${linked})
    unset(linked CACHE)
    if(linked_now)
      set_property(TARGET ${target} PROPERTY INTERPROCEDURAL_OPTIMIZATION TRUE)
      target_link_options(${target} INTERFACE ${link_options})
      if(link_options)
        message(STATUS "MeMS: link-time optimisation on (users of ${target} link with ${candidate})")
      else()
        message(STATUS "MeMS: link-time optimisation on")
      endif()
      return()
    endif()
  endforeach()
  file(APPEND "${CMAKE_BINARY_DIR}${CMAKE_FILES_DIRECTORY}/CMakeError.log"
       "MeMS LTO check failed:\n${output}\n")
  message(STATUS "MeMS: link-time optimisation off (this toolchain cannot link an LTO archive into a program "
                 "built without it: for clang, install LLVM's gold plugin or lld; see CMakeError.log)")
endfunction()
