int core_value(int x);
int core_value(int x) { return 2 * x + 1; }
