/** @file
 * A header with an undocumented public function: unit/apidoc_check_fails runs the API-reference
 * check on it and expects it to fail, so the check is shown able to fail. */
#ifndef SYNACK_APIDOC_PROBE_H
#define SYNACK_APIDOC_PROBE_H

/** A documented function.
 * @param x any number
 * @return @p x */
int synack_apidoc_documented(int x);

int synack_apidoc_undocumented(int x);

#endif
