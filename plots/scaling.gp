# Figure 7: each MeMS policy's cost against the number of live blocks, glibc as
# the reference, and bump (an allocator that does no work) as the floor: the
# replay's own cost (its slot per id, the trace read, the call), which is part
# of every other line's growth too.
# Variables: data (scaling.csv: live_blocks,allocator,ops,ns_per_op,holes_examined_per_search,steady_ns_per_op),
# out, fmt, plots.
width = 1800; height = 560
load plots."/common.gp"
set datafile separator ","
set multiplot layout 1, 3 title "Scaling: MeMS policies against live blocks (a structure that scales stays flat; \
the gray floor is the replay's own cost)"
set logscale x
set xlabel "live blocks"
set format x "10^{%L}"
set key inside left top Left reverse samplen 2 font ",10"
policies = "mems-first mems-next mems-best mems-worst glibc"
floor_title = "bump: the replay's own cost (no reuse, no metadata)"
set xrange [*:*] noextend
# room above the lines for the key
set offsets graph 0.05, graph 0.05, graph 0.6, graph 0.05
set yrange [*:*] noextend
set logscale y
set ylabel "ns per operation (timed pass, median)"
set title "Steady phase: ops made with N blocks live\n(glibc: what a bigger heap costs any allocator)"
plot for [i=1:5] data using 1:(strcol(2) eq word(policies, i) ? $6 : NaN) every ::1 with linespoints \
     lw 2 pt 7 lc rgb palette_colors[i] dashtype i < 5 ? 1 : 2 title word(policies, i), \
     data using 1:(strcol(2) eq "bump" ? $6 : NaN) every ::1 with linespoints \
     lw 2 pt 6 lc rgb "#808080" dashtype 2 title floor_title
set title "Whole trace: the ramp to N blocks (mapping, first touch) and the steady phase"
plot for [i=1:5] data using 1:(strcol(2) eq word(policies, i) ? $4 : NaN) every ::1 with linespoints \
     lw 2 pt 7 lc rgb palette_colors[i] dashtype i < 5 ? 1 : 2 title word(policies, i), \
     data using 1:(strcol(2) eq "bump" ? $4 : NaN) every ::1 with linespoints \
     lw 2 pt 6 lc rgb "#808080" dashtype 2 title floor_title
unset logscale y
set offsets graph 0.05, graph 0.05, 0, 0
set autoscale y
set yrange [0:*]
set ylabel "holes examined per search (check pass)"
set title "Search cost"
plot for [i=1:4] data using 1:(strcol(2) eq word(policies, i) ? $5 : NaN) every ::1 with linespoints \
     lw 2 pt 7 lc rgb palette_colors[i] title word(policies, i)
unset multiplot
