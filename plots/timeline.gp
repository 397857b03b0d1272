# Figure 1: live bytes and every allocator's footprint over one trace.
# Variables: trace, files (time-series CSVs), names (allocators), out, fmt, plots.
width = 1200; height = 650
load plots."/common.gp"
set datafile separator ","
set title sprintf("Fragmentation over time: live memory and each allocator's footprint, trace '%s'", trace) noenhanced
set xlabel "operation index"
set autoscale xfix
set ylabel "bytes (log scale)"
set logscale y
set format y "%.0s %cB"
# the axis fitted to the footprints, the figure's subject: from half the
# smallest any allocator had to above the largest; live bytes, which start
# and may end near zero, leave through the bottom edge there
low = 0; high = 0
do for [i=1:words(files)] {
    stats word(files, i) skip 1 using ($3 > 0 ? $3 : NaN) nooutput
    if (STATS_records > 0) {
        low = (low == 0 || STATS_min < low) ? STATS_min : low
        high = STATS_max > high ? STATS_max : high
    }
}
stats word(files, 1) skip 1 using ($2 > 0 ? $2 : NaN) nooutput
high = (STATS_records > 0 && STATS_max > high) ? STATS_max : high
if (low > 0) { set yrange [low / 2 : high * 1.5] }
plot for [i=1:words(files)] word(files, i) skip 1 using 1:($3 > 0 ? $3 : NaN) with lines lw 2 \
         lc rgb palette_colors[(i - 1) % 8 + 1] title word(names, i) noenhanced, \
     word(files, 1) skip 1 using 1:($2 > 0 ? $2 : NaN) with lines lw 3 dt 2 lc rgb "black" title "live bytes"
