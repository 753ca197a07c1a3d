/*
 * import_probe: ask a probe written in Python (numext/_sum_rules.py,
 * numext/_multiply_rules.py) for its answer, once at module exec, so the C
 * side follows what the running NumPy was found to do.
 */
#ifndef NUMEXT_IMPORT_PROBE_H
#define NUMEXT_IMPORT_PROBE_H

/* Import `module`, call its `function()` with no arguments and store the
 * integer it returns in *value. With the GIL; 0, or -1 with an error set
 * (*value then untouched). */
int numext_call_probe(const char *module, const char *function, long *value);

#endif
