/**
 * Test support shared by the modules' tests (a test-scope dependency only): {@link
 * org.offloadbridge.testkit.Cases}, seeded random cases that replace a property-testing
 * library and print the seed and case of every failure.
 */
package org.offloadbridge.testkit;
