/**
 * Coverage-guided fuzz tests (Jazzer {@code @FuzzTest}) of the parsers that read outside
 * input. Each test states its property in its comment; the rule for all of them is that a
 * parser returns a value or throws its documented parse exception, nothing else — the test
 * catches exactly those, so any other throwable (and any input slower than the timeout in
 * junit-platform.properties) is a finding.
 *
 * <p>Under {@code ./mvnw verify} every test replays its inputs directory,
 * {@code src/test/resources/<package>/<Class>Inputs/<method>/} (seeds from the golden captures,
 * written by {@link org.offloadbridge.fuzz.SeedCorpus}, and every input that ever crashed);
 * {@code fuzz/run} fuzzes each target for a bounded time. docs/fuzzing.md says how to run long
 * and how a finding becomes a regression input.
 *
 * <p>Tests that need a package-private seam live in that package (this module's
 * {@code org.offloadbridge.netlink} and {@code org.offloadbridge.daemon.control}).
 */
package org.offloadbridge.fuzz;
