# Study figure 4: external fragmentation of each recorded program per MeMS
# policy at the default structure, the geometric mean last; log scale.
# Variables: data (plotdata/programs.dat), out, fmt, plots.
width = 1300; height = 600
load plots."/common.gp"
set title "Real programs: hole bytes at peak live / peak live bytes (%), log scale (a policy with no hole is left out)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set ylabel "hole bytes / peak live bytes (%)"
set xtics font ",11" noenhanced
set key inside left top
policies = "first next best worst"
plot for [i=1:4] data using (column(1 + i) > 0 ? column(1 + i) : NaN):xtic(1) title word(policies, i) . " fit" \
     lc rgb palette_colors[i]
