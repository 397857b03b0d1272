cmake_minimum_required(VERSION 3.16)
# Fails when the library's objects ask the linker for any allocator symbol:
# MeMS gets memory from the OS only through mmap and munmap.
#   cmake -DLIBRARY=libmems.a -DNM=nm -P check_no_malloc.cmake
execute_process(COMMAND "${NM}" -u "${LIBRARY}" OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIBRARY}")
endif()
set(forbidden malloc calloc realloc reallocarray free posix_memalign aligned_alloc memalign valloc pvalloc
              strdup strndup brk sbrk mremap)
set(found "")
string(REPLACE "\n" ";" lines "${undefined}")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^.* " "" symbol "${line}")
  string(REGEX REPLACE "@.*$" "" symbol "${symbol}")
  if(symbol IN_LIST forbidden)
    list(APPEND found "${symbol}")
  endif()
endforeach()
if(found)
  list(REMOVE_DUPLICATES found)
  message(FATAL_ERROR "${LIBRARY} asks for ${found}: MeMS may get memory only from mmap/munmap")
endif()
message(STATUS "${LIBRARY}: no allocator symbols")
