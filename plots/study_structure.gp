# Study figure 3: external fragmentation (geometric mean over the phase traces
# and programs) against min_pages, one line per MeMS policy; empty nodes kept
# (left) and released (right).
# Variables: data (plotdata/structure.dat), out, fmt, plots.
width = 1400; height = 560
load plots."/common.gp"
set multiplot layout 1, 2 title "Structure versus policy: bigger nodes, empty nodes kept or released" font ",13"
set logscale x 2
set xtics ("1" 1, "16" 16, "256" 256)
set xrange [0.7:370]
set xlabel "min_pages (pages per node at least)" noenhanced
set ylabel "geometric mean of hole bytes / peak live (%)"
set yrange [0:*]
set key inside left top
policies = "first next best worst"
set title "release_empty_nodes off (the default)" noenhanced
plot for [i=1:4] data using 1:(column(1 + i)) with linespoints lw 2 pt 7 lc rgb palette_colors[i] title word(policies, i) . " fit"
set title "release_empty_nodes on" noenhanced
plot for [i=1:4] data using 1:(column(5 + i)) with linespoints lw 2 pt 7 lc rgb palette_colors[i] title word(policies, i) . " fit"
unset multiplot
