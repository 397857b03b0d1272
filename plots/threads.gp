# The thread sweep: each workload's throughput (ops per second of wall time)
# and footprint against the threads that replay it, one line per allocator:
# MeMS's policies with one lock solid, with arenas (NAME@N) dotted, the real
# allocators dashed. Counts above the machine's cores are shaded: there the
# threads oversubscribe the cores and take turns, so a line that stays level
# is the best to be had.
# Variables: data (threads.csv: workload,source,allocator,threads,oversubscribed,ops,replay_threads,
# cross_thread_ops,seconds,ops_per_s,speedup,peak_rss_bytes,peak_footprint_bytes,...), allocators and
# workloads (blank-separated, in the CSV's order), cores, maxthreads (the sweep's largest count), out, fmt, plots.
nw = words(workloads)
width = 420 * (nw > 2 ? nw : 2); height = 820
load plots."/common.gp"
set datafile separator ","
set multiplot layout 2, nw title sprintf("Threads: throughput and footprint against threads (shaded: more threads \
than the %d cores, oversubscribed)", cores)
set logscale x 2
set xlabel "threads"
set key inside left top Left reverse samplen 2 font ",8"
n = words(allocators)
is_arenas(i) = strstrt(word(allocators, i), "@") > 0
is_mems(i) = word(allocators, i)[1:5] eq "mems-"
color(i) = palette_colors[(i - 1) % |palette_colors| + 1]
dash(i) = is_arenas(i) ? 3 : is_mems(i) ? 1 : 2
set offsets graph 0.1, graph 0.1, graph 0.45, 0
if (maxthreads > cores) {
    set object 1 rect from first cores + 0.5, graph 0 to graph 1, graph 1 behind fc rgb "#eeeeee" fs solid noborder
    set label 1 "oversubscribed" at graph 0.98, graph 0.04 right textcolor rgb "#808080" font ",9"
}
set yrange [0:*]
do for [w = 1:nw] {
    if (w == 1) { set key } else { unset key }
    set title word(workloads, w)
    set ylabel w == 1 ? "million ops per second (wall time)" : ""
    plot for [i=1:n] data using 4:(strcol(1) eq word(workloads, w) && strcol(3) eq word(allocators, i) ? $10 / 1e6 : NaN) \
         every ::1 with linespoints lw 2 pt 7 lc rgb color(i) dashtype dash(i) title word(allocators, i) noenhanced
}
unset key
do for [w = 1:nw] {
    set title word(workloads, w)." (footprint)"
    set ylabel w == 1 ? "peak footprint, MiB (check pass)" : ""
    plot for [i=1:n] data using 4:(strcol(1) eq word(workloads, w) && strcol(3) eq word(allocators, i) && \
         strcol(13) ne "" ? $13 / 1048576 : NaN) every ::1 with linespoints lw 2 pt 7 lc rgb color(i) \
         dashtype dash(i) notitle
}
unset multiplot
