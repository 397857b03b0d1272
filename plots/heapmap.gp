# Figure 5: heap map of MeMS's virtual address space under each policy: for
# each address range and moment, the share of it in holes (blue = given out,
# orange = hole, white = not mapped).
# Variables: trace, files (heap-map data, one per policy), names, out, fmt, plots.
width = 1400; height = 1000
load plots."/common.gp"
set multiplot layout 2, 2 title sprintf("Heap map of MeMS, trace '%s': share of each address range in holes over time (blue: given out, orange: hole, white: not mapped)", trace) noenhanced font ",13"
# -1 marks address ranges not mapped: white
set palette defined (-1 "white", -0.001 "white", 0 "#1f4e9c", 0.5 "#c9d7ea", 1 "#f28e2b")
set cbrange [-1:1]
set cbtics ("not mapped" -1, "0" 0, "0.5" 0.5, "1" 1)
set xlabel "operation index"
set ylabel "MeMS virtual address (MiB)"
unset key
set autoscale xfix
# one address scale for the four panels, so their heights compare: the
# highest address any policy mapped (each file's rows are centres of equal
# ranges, so the image reaches half a range above the last)
top = 0
do for [i=1:words(files)] {
    stats word(files, i) using ($2 / 1048576) nooutput
    rows = STATS_records > 0 ? STATS_max : 0
    top = rows > top ? rows : top
}
set yrange [0:top * 1.004]
# room right of each panel for the colour bar's labels
set rmargin 13
do for [i=1:words(files)] {
    set title word(names, i) noenhanced
    plot word(files, i) using 1:($2 / 1048576):3 with image
}
unset multiplot
