int core_value(int x);
int main(int argc, char **argv) { (void)argv; return core_value(argc) == 3 ? 0 : 1; }
