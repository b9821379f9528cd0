/* A shared library that exports a name outside the synack_ namespace: unit/exports_check_fails runs
 * the export check on it and expects it to fail, so the check is shown able to fail. */
__attribute__((visibility("default"))) int synack_exports_probe(void);
__attribute__((visibility("default"))) int exports_probe_leak(void);

int synack_exports_probe(void)
{
    return 1;
}

int exports_probe_leak(void)
{
    return 2;
}
