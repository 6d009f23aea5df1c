/**
 * The table of installed flows (ukeys), revalidator threads, stats, idle expiry, flow limit, and reconciliation with what the kernel really holds.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.revalidator;
