# Study figure 7: the policy zoo's trade-off, one point per member: time per
# op (in process, geometric mean over the programs) against #4 of the policy's
# part (geometric mean over the programs).
# Variables: data (plotdata/zoo.dat), out, fmt, plots.
width = 1000; height = 650
load plots."/common.gp"
set title "The policy zoo: fragmentation against time per op (real programs, geometric means)"
set xlabel "time per op, ns (MeMS in process, the op loop alone)"
set ylabel "#4, the policy's part (% of peak live)"
set key off
set offsets graph 0.08, graph 0.15, graph 0.08, graph 0.08
plot data using 6:2 with points pt 7 ps 1.6 lc rgb palette_colors[1], \
     '' using 6:2:1 with labels offset char 1, char 0.7 left font ",10" noenhanced
