# Study figure 1: external fragmentation against the coefficient of variation
# of request sizes, one line per MeMS policy, with the interval over seeds.
# Variables: data (plotdata/sizes.dat), out, fmt, plots.
width = 1400; height = 600
load plots."/common.gp"
set multiplot layout 1, 2 title "Size variance (plateau churn, mean 256 B): fragmentation at peak live, median over seeds with interval\n{/*0.8 along the top: C constant, U uniform, E exponential, H hyperexponential, P Pareto, with the nominal CV}" font ",13"
set xlabel "coefficient of variation of request sizes (measured)"
set ylabel "hole bytes / peak live bytes (%)"
set key inside left top
set yrange [0:*]
set xrange [-0.15:*]
policies = "first next best worst"
jitter(i) = (i - 2.5) * 0.025
# each point's size family (initial) and nominal CV along the top
set x2tics rotate by 45 left font ",9" nomirror
set link x2 via x inverse x
set tmargin 7
set rmargin 8
set offsets 0, 0.3, 0, 0
set title "All holes (external fragmentation)"
plot for [i=1:4] data using ($3 + jitter(i)):(column(2 + 3 * i)):(column(3 + 3 * i)):(column(4 + 3 * i)) \
     with yerrorlines lw 2 pt 7 ps 0.8 lc rgb palette_colors[i] title word(policies, i) . " fit", \
     data using 3:(-1):x2tic(4) with points ps 0 notitle
set title "Holes between live blocks only (the policy's part)"
plot for [i=1:4] data using ($3 + jitter(i)):(column(14 + 3 * i)):(column(15 + 3 * i)):(column(16 + 3 * i)) \
     with yerrorlines lw 2 pt 7 ps 0.8 lc rgb palette_colors[i] title word(policies, i) . " fit", \
     data using 3:(-1):x2tic(4) with points ps 0 notitle
unset multiplot
