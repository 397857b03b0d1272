# The study twice with the same seeds: the second run's CSVs (every byte count
# and fragmentation number, the cells, the verdicts and the zoo's numbers; not
# zoo_time.csv, its times) equal the first's.
#   -DCOMMAND=mems-bench;study;... (without --out) -DFIRST=DIR -DSECOND=DIR
cmake_minimum_required(VERSION 3.16)
file(REMOVE_RECURSE "${SECOND}")
execute_process(COMMAND ${COMMAND} --no-plots --out "${SECOND}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the second study failed (${rc}): ${err}")
endif()
foreach(name runs.csv cells.csv verdicts.csv plan.csv zoo.csv)
  if(NOT EXISTS "${FIRST}/${name}")
    message(FATAL_ERROR "${FIRST}/${name} is missing: the first study did not run")
  endif()
  file(SHA256 "${FIRST}/${name}" a)
  file(SHA256 "${SECOND}/${name}" b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${name} differs between two studies with the same seeds")
  endif()
  file(STRINGS "${FIRST}/${name}" lines)
  list(LENGTH lines n)
  message(STATUS "${name}: ${n} lines, identical")
endforeach()
file(REMOVE_RECURSE "${SECOND}")
