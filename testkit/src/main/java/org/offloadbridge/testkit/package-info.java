/**
 * Test support shared by the modules' tests (a test-scope dependency only, never on a main
 * classpath):
 * <ul>
 *   <li>{@link org.offloadbridge.testkit.Cases}: seeded random cases that replace a
 *       property-testing library; every failure prints its seed and case and replays with
 *       {@code -Dob.seed=… -Dob.case=…};</li>
 *   <li>{@link org.offloadbridge.testkit.Shell}: the one way tests run commands — bounded in
 *       time, stdout and stderr drained concurrently, failures naming command, exit status and
 *       output;</li>
 *   <li>{@link org.offloadbridge.testkit.Topology}: netns hosts joined by veth pairs, with
 *       addresses and neighbours, names unique per run, removed on close.</li>
 * </ul>
 * No dependency on any module of ours (every module's tests depend on this one).
 */
package org.offloadbridge.testkit;
