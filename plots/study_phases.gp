# Study figure 2: external fragmentation by phase shape (one panel each) and
# size family (x), one line per MeMS policy, with the interval over seeds.
# Variables: data (plotdata/phases.dat), out, fmt, plots.
width = 1500; height = 560
load plots."/common.gp"
top = 0
do for [c=5:14:3] {
    stats data using c nooutput
    if (STATS_max > top) { top = STATS_max }
}
set multiplot layout 1, 3 title "Phase behaviour: fragmentation at peak live by shape and size family (median over seeds, interval)" font ",13"
set ylabel "hole bytes / peak live bytes (%)"
set yrange [0:top * 1.05]
set xrange [-0.4:4.4]
set bmargin 6
set xtics rotate by -30 font ",10" noenhanced nomirror
set key inside left top
policies = "first next best worst"
shapes = "ramp peak plateau"
jitter(i) = (i - 2.5) * 0.08
do for [h=1:3] {
    set title word(shapes, h)
    if (h > 1) { unset key; unset ylabel }
    plot data index (h - 1) using 0:(-1):xtic(stringcolumn(1) . " " . stringcolumn(2)) with points ps 0 notitle, \
         for [i=1:4] data index (h - 1) using ($0 + jitter(i)):(column(3 * i)):(column(3 * i + 1)):(column(3 * i + 2)) \
         with yerrorlines lw 2 pt 7 ps 0.8 lc rgb palette_colors[i] title word(policies, i) . " fit"
}
unset multiplot
