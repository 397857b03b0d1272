# Counts, from a native text trace alone, what a replay with one thread per
# recorded thread must report: "THREADS CROSS_THREAD_OPS OPS". A free or
# realloc is cross-thread when another thread made the block's last
# allocation or reallocation.
/^#/ || /^mems-trace/ || NF == 0 { next }
{
    ops++
    t = 0
    if ($NF ~ /^@/) t = substr($NF, 2) + 0
    seen[t] = 1
    op = $1; id = $2
    if (op == "f" && id == "-") next
    if ((op == "f" || op == "r") && maker[id] != t) cross++
    if (op != "f") maker[id] = t
}
END { n = 0; for (k in seen) n++; printf "%d %d %d\n", n, cross + 0, ops + 0 }
