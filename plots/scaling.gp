# Figure 7: each MeMS policy's cost against the number of live blocks, beside
# real allocators (glibc, and jemalloc, mimalloc, tcmalloc where installed) as
# the reference for what a bigger heap costs an allocator built for speed, and
# bump (an allocator that does no work) as the floor: the replay's own cost
# (its slot per id, the trace read, the call), which is part of every other
# line's growth too.
# Variables: data (scaling.csv: live_blocks,allocator,ops,ns_per_op,holes_examined_per_search,steady_ns_per_op),
# allocators (the lines, blank-separated, in the CSV's order, bump left out),
# searchers (those of them with a search cost: MeMS's policies), out, fmt, plots.
# the key below the panels takes a row per five lines (bump's included), so
# the figure grows with the number of allocators instead of crowding them
n = words(allocators)
key_rows = (n + 1 + 4) / 5
key_px = 22 * key_rows + 20
width = 1800; height = 540 + key_px
load plots."/common.gp"
set datafile separator ","
# Three panels side by side, and below them one key for all three, in a
# strip of its own so it covers no data (every line keeps its colour in every
# panel). Placed by hand: a layout's key can only be as wide as one panel.
set multiplot title "Scaling: MeMS policies and real allocators against live blocks (a structure that \
scales stays flat; the gray floor is the replay's own cost)"
panel_left(i) = 0.05 + (i - 1) * 0.33
set tmargin at screen 1 - 90.0 / height
set bmargin at screen (key_px + 75.0) / height
set lmargin at screen panel_left(1)
set rmargin at screen panel_left(1) + 0.27
set logscale x
set xlabel "live blocks"
set format x "10^{%L}"
unset key
# MeMS's policies solid, the real allocators dashed
is_mems(i) = word(allocators, i)[1:5] eq "mems-"
color(i) = palette_colors[(i - 1) % |palette_colors| + 1]
floor_title = "bump: the replay's own cost"
set xrange [*:*] noextend
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.05
set yrange [*:*] noextend
set logscale y
set ylabel "ns per operation (timed pass, median)"
set title "Steady phase: ops made with N blocks live\n(the real allocators: what a bigger heap costs any allocator)"
plot for [i=1:n] data using 1:(strcol(2) eq word(allocators, i) ? $6 : NaN) every ::1 with linespoints \
     lw 2 pt 7 lc rgb color(i) dashtype is_mems(i) ? 1 : 2 title word(allocators, i), \
     data using 1:(strcol(2) eq "bump" ? $6 : NaN) every ::1 with linespoints \
     lw 2 pt 6 lc rgb "#808080" dashtype 2 title floor_title
set lmargin at screen panel_left(2)
set rmargin at screen panel_left(2) + 0.27
set title "Whole trace: the ramp to N blocks (mapping, first touch) and the steady phase"
plot for [i=1:n] data using 1:(strcol(2) eq word(allocators, i) ? $4 : NaN) every ::1 with linespoints \
     lw 2 pt 7 lc rgb color(i) dashtype is_mems(i) ? 1 : 2 title word(allocators, i), \
     data using 1:(strcol(2) eq "bump" ? $4 : NaN) every ::1 with linespoints \
     lw 2 pt 6 lc rgb "#808080" dashtype 2 title floor_title
unset logscale y
set offsets graph 0.05, graph 0.05, graph 0.1, 0
set autoscale y
set yrange [0:*]
set ylabel "holes examined per search (check pass)"
set title "Search cost"
set lmargin at screen panel_left(3)
set rmargin at screen panel_left(3) + 0.27
# each searcher keeps the color it has in the other two panels
color_of(name) = sum [i=1:n] (word(allocators, i) eq name ? i : 0)
if (words(searchers) > 0) {
    plot for [j=1:words(searchers)] data using 1:(strcol(2) eq word(searchers, j) ? $5 : NaN) every ::1 \
         with linespoints lw 2 pt 7 lc rgb color(color_of(word(searchers, j))) title word(searchers, j)
} else {
    set label 1 "no MeMS policy in this sweep" at graph 0.5, graph 0.5 center
    set yrange [0:1]
    plot NaN notitle
}
# the key's strip: no axes, every line's style with its name
unset label 1
set lmargin at screen 0.05
set rmargin at screen 0.95
set tmargin at screen (key_px - 4.0) / height
set bmargin at screen 4.0 / height
unset border; unset tics; unset xlabel; unset ylabel; unset title; unset logscale; unset grid
set offsets 0, 0, 0, 0
set xrange [0:1]; set yrange [0:1]
set key inside center center horizontal maxcols 5 Left reverse samplen 3 width 2 font ",12" box lc rgb "#c0c0c0"
plot for [i=1:n] NaN with linespoints lw 2 pt 7 lc rgb color(i) dashtype is_mems(i) ? 1 : 2 title word(allocators, i), \
     NaN with linespoints lw 2 pt 6 lc rgb "#808080" dashtype 2 title floor_title
unset multiplot
