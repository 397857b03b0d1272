# Every command of mems-bench and mems-trace alike: --help and -h print its
# usage with every option described and known to its parser (check_help.sh),
# and bad input is refused before any work, exit 2, by the flag the user typed.
# Included from CMakeLists.txt (it uses ${bench}, ${cli}, ${work}, ${traces_dir}).
set(trace_tool $<TARGET_FILE:mems-trace>)

add_executable(test_cli test_cli.c)
target_link_libraries(test_cli PRIVATE mems_cli mems)
target_include_directories(test_cli PRIVATE "${PROJECT_SOURCE_DIR}/tests")
add_test(NAME harness/cli_parser COMMAND test_cli)
set(tiny "${traces_dir}/small/tiny.trace")
set(mixed "${traces_dir}/small/mixed.trace.gz")
file(MAKE_DIRECTORY "${work}/help")

foreach(command replay suite scaling threads study programs validate convert policies)
  add_test(NAME harness/help_${command} COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/check_help.sh" ${bench} ${command})
  set_tests_properties(harness/help_${command} PROPERTIES WORKING_DIRECTORY "${work}/help")
endforeach()
foreach(command record stat convert gen)
  add_test(NAME harness/help_trace_${command}
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/check_help.sh" ${trace_tool} ${command})
  set_tests_properties(harness/help_trace_${command} PROPERTIES WORKING_DIRECTORY "${work}/help")
endforeach()
add_test(NAME harness/help_bench
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${bench};--help" -DEXPECT_RC=0
          "-DSTDOUT_HAS=usage: mems-bench COMMAND;replay ;suite ;scaling ;threads ;study ;programs ;validate ;convert ;policies ;mems-bench COMMAND --help"
          -P ${cli})
add_test(NAME harness/help_trace
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${trace_tool};-h" -DEXPECT_RC=0
          "-DSTDOUT_HAS=usage: mems-trace COMMAND;record ;stat ;convert ;gen ;mems-trace COMMAND --help" -P ${cli})
add_test(NAME harness/refuses_unknown_command
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${bench};replays;${tiny}" -DEXPECT_RC=2
          "-DSTDERR_HAS=mems-bench: unknown command 'replays'" -P ${cli})

# refused(NAME "SAYS;..." COMMAND...): exit 2, stderr saying each, ${work}/refused/NAME (the run
# folder the command is given, where it has one) never made.
function(refused name says)
  add_test(NAME harness/refuses_${name}
    COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${ARGN}" -DEXPECT_RC=2 "-DSTDERR_HAS=${says}"
            -DABSENT=${work}/refused/${name} -DCLEAN=${work}/refused/${name} -P ${cli})
endfunction()
set(out ${work}/refused)

refused(replay_alloc_twice "mems-bench replay: --alloc names 'glibc' twice"
        ${bench} replay --alloc glibc,mems-best,glibc --out ${out}/replay_alloc_twice ${tiny})
refused(replay_alloc_empty_item "mems-bench replay: -a 'glibc,': an empty item"
        ${bench} replay -a glibc, --out ${out}/replay_alloc_empty_item ${tiny})
refused(replay_repeat_garbage "mems-bench replay: --repeat takes a whole number from 1 to 1000, not '1x'"
        ${bench} replay --repeat 1x --out ${out}/replay_repeat_garbage ${tiny})
refused(replay_mem_limit_zero "mems-bench replay: --mem-limit takes bytes above 0 (512M, 4G), a share (50%) or none, not '0'"
        ${bench} replay --mem-limit 0 --out ${out}/replay_mem_limit_zero ${tiny})
refused(replay_align "mems-bench replay: --mems-align takes a power of two from 1 to 4096, not '24'"
        ${bench} replay --mems-align 24 --out ${out}/replay_align ${tiny})
refused(replay_option_twice "mems-bench replay: --repeat is given twice"
        ${bench} replay --repeat 2 --repeat 3 --out ${out}/replay_option_twice ${tiny})
refused(suite_repeat_zero "mems-bench suite: --repeat takes a whole number from 1 to 100, not '0'"
        ${bench} suite --repeat 0 --no-plots --out ${out}/suite_repeat_zero)
refused(suite_alloc_twice "mems-bench suite: --alloc names 'mems-first' twice"
        ${bench} suite --alloc mems-first,mems-first --no-plots --out ${out}/suite_alloc_twice --traces ${tiny})
refused(suite_traces_twice "mems-bench suite: --traces names 'small' twice"
        ${bench} suite --traces small,small --no-plots --out ${out}/suite_traces_twice)
refused(suite_timeout_zero "mems-bench suite: --timeout takes a number of seconds above 0, not '0'"
        ${bench} suite --timeout 0 --no-plots --out ${out}/suite_timeout_zero)
refused(scaling_repeat_garbage "mems-bench scaling: --repeat takes a whole number from 1 to 16, not '1x'"
        ${bench} scaling --repeat 1x --sizes 100 --no-plots --out ${out}/scaling_repeat_garbage)
refused(scaling_sizes_twice "mems-bench scaling: --sizes names '100' twice"
        ${bench} scaling --sizes 100,100 --no-plots --out ${out}/scaling_sizes_twice)
refused(study_corpus_unknown "mems-bench study: --corpus: 'nosuch' is neither a trace of traces/corpus"
        ${bench} study --corpus gcc-cc1,nosuch --no-plots --out ${out}/study_corpus_unknown)
refused(study_seeds_garbage "mems-bench study: --seeds takes a whole number from 2 to 99, not '5x'"
        ${bench} study --seeds 5x --no-plots --out ${out}/study_seeds_garbage)
refused(programs_unknown "mems-bench programs: --programs: unknown name 'nosuch' (python-json, gcc-cc1"
        ${bench} programs --programs gawk-words,nosuch --no-plots --out ${out}/programs_unknown)
refused(programs_twice "mems-bench programs: -p names 'gawk-words' twice"
        ${bench} programs -p gawk-words,gawk-words --no-plots --out ${out}/programs_twice)
refused(programs_runs "mems-bench programs: --runs takes a whole number from 2 to 1000, not '1'"
        ${bench} programs --runs 1 --no-plots --out ${out}/programs_runs)
refused(programs_alloc_bump "mems-bench programs: --alloc: bump is a replay backend"
        ${bench} programs --alloc mems-first,bump --no-plots --out ${out}/programs_alloc_bump)
refused(validate_nothing "mems-bench validate: no trace given" ${bench} validate)
refused(validate_option "mems-bench validate: unknown option '--all'" ${bench} validate --all ${tiny})
refused(policies_argument "mems-bench policies: unexpected argument 'first'" ${bench} policies first)
refused(convert_one_file "mems-bench convert: needs a trace and an output file" ${bench} convert ${tiny})
refused(convert_three_files "mems-bench convert: unexpected argument" ${bench} convert ${tiny} ${out}/a ${out}/b)
refused(trace_gen_seed_letters "mems-trace gen: --seed takes a whole number from 0 up, not 'abc'"
        ${trace_tool} gen plateau --seed abc -o ${out}/trace_gen_seed_letters)
refused(trace_gen_seed_garbage "mems-trace gen: --seed takes a whole number from 0 up, not '1x'"
        ${trace_tool} gen plateau --seed 1x -o ${out}/trace_gen_seed_garbage)
refused(trace_gen_ops "mems-trace gen: -n takes a whole number from 100 to 1000000000, not '50'"
        ${trace_tool} gen plateau --seed 1 -n 50 -o ${out}/trace_gen_ops)
refused(trace_gen_min_max "mems-trace gen: --max 8 is below --min 64"
        ${trace_tool} gen plateau --seed 1 --min 64 --max 8 -o ${out}/trace_gen_min_max)
refused(trace_gen_no_kind "mems-trace gen: no KIND given" ${trace_tool} gen --seed 1 -o ${out}/trace_gen_no_kind)
refused(trace_gen_unknown_kind "mems-trace gen: unknown KIND 'plateaux' (ramp, peak, plateau, fragment, coalesce, realloc, private, prodcons or larson)"
        ${trace_tool} gen plateaux --seed 1 -o ${out}/trace_gen_unknown_kind)
refused(trace_gen_threads_one_thread_kind "mems-trace gen: --threads 2: ramp runs on one thread only"
        ${trace_tool} gen ramp --threads 2 --seed 1 -o ${out}/trace_gen_threads_one_thread_kind)
refused(trace_stat_nothing "mems-trace stat: no trace given" ${trace_tool} stat)
refused(trace_stat_two "mems-trace stat: unexpected argument '${tiny}'" ${trace_tool} stat ${mixed} ${tiny})
refused(trace_record_nothing "mems-trace record: no command to record given"
        ${trace_tool} record -o ${out}/trace_record_nothing)
refused(trace_record_option "mems-trace record: unknown option '--compress'"
        ${trace_tool} record --compress -o ${out}/trace_record_option -- true)
refused(trace_convert_one_file "mems-trace convert: needs a trace and an output file" ${trace_tool} convert ${tiny})

# convert says what the target format cannot hold, op counts that validate's confirm.
add_test(NAME harness/convert_says_losses_rep
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${bench};convert;${mixed};${work}/converted/mixed.rep" -DEXPECT_RC=0
          "-DSTDERR_HAS=mixed.rep: the rep format cannot hold calloc, aligned allocations or threads; of 3182 ops;131 callocs written as mallocs;129 aligned allocations written as mallocs;260 ops changed kind, 0 dropped"
          -P ${cli})
add_test(NAME harness/convert_says_losses_mtrace
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${trace_tool};convert;${mixed};${work}/converted/mixed.mtrace" -DEXPECT_RC=0
          "-DSTDERR_HAS=mixed.mtrace: the mtrace format cannot hold;132 realloc(NULL, n) written as mallocs;30 realloc(p, 0) written as frees;54 free(NULL) dropped;422 ops changed kind, 54 dropped"
          -P ${cli})
# read back: 131 + 129 + 132 more mallocs, 54 fewer ops
add_test(NAME harness/convert_losses_counted
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${bench};validate;${work}/converted/mixed.rep;${work}/converted/mixed.mtrace"
          -DEXPECT_RC=0 "-DSTDOUT_HAS=mixed.rep: rep format, 3182 ops (malloc 1211, calloc 0, realloc 604, free 1367, aligned 0);mixed.mtrace: mtrace format, 3128 ops (malloc 1343, calloc 0, realloc 442, free 1343, aligned 0)"
          -P ${cli})
set_tests_properties(harness/convert_losses_counted PROPERTIES
                     DEPENDS "harness/convert_says_losses_rep;harness/convert_says_losses_mtrace")
add_test(NAME harness/convert_native_lossless
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${bench};convert;${mixed};${work}/converted/mixed.trace" -DEXPECT_RC=0
          -DSTDERR_LACKS=cannot -P ${cli})
add_test(NAME harness/convert_unwritable_names_the_path
  COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${bench};convert;${tiny};${work}/no-such-folder/tiny.bin" -DEXPECT_RC=1
          "-DSTDERR_HAS=${work}/no-such-folder/tiny.bin: cannot write: No such file or directory" -DSTDERR_LACKS=.tmp
          -P ${cli})
file(MAKE_DIRECTORY "${work}/converted")

# a recorded program killed by a signal: said once, plainly
if(NOT MEMS_SANITIZE)
  add_test(NAME harness/trace_record_killed
    COMMAND ${CMAKE_COMMAND} "-DCOMMAND=${trace_tool};record;-o;${work}/killed;--;sh;-c;kill -9 $$" -DEXPECT_RC=137
            "-DSTDERR_HAS=is incomplete: sh was killed (signal 9;mems-trace: sh was killed by signal 9"
            "-DSTDERR_LACKS=dynamically linked;not valid" -DCLEAN=${work}/killed -P ${cli})
endif()
